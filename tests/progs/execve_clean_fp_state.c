/* A new program starts with Linux's clean FPU/SSE state: MXCSR 0x1f80,
 * x87 control word 0x37f, and the SSE registers glibc's start-up leaves
 * alone (xmm8-xmm15) zero. */
#include <stdio.h>

int main(void) {
    unsigned long long x[8];
    unsigned int mxcsr;
    unsigned short fcw;
    __asm__ volatile("movq %%xmm8, 0(%0)\n movq %%xmm9, 8(%0)\n movq %%xmm10, 16(%0)\n"
                     "movq %%xmm11, 24(%0)\n movq %%xmm12, 32(%0)\n movq %%xmm13, 40(%0)\n"
                     "movq %%xmm14, 48(%0)\n movq %%xmm15, 56(%0)\n"
                     : : "r"(x) : "memory");
    __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
    __asm__ volatile("fnstcw %0" : "=m"(fcw));
    printf("mxcsr %#x fcw %#x\n", mxcsr, fcw);
    for (int i = 0; i < 8; i++)
        printf("xmm%d %llx\n", 8 + i, x[i]);
    return 0;
}
