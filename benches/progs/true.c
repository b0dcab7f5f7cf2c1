/* Start-up: the runner times the whole command from outside. */
int main(void) { return 0; }
