/* System V shared memory: a segment is zeroed, shared between attaches
 * and across fork, counted in shm_nattch; IPC_RMID of an attached segment
 * marks it SHM_DEST and makes its key private until the last detach;
 * SHM_RDONLY attaches fault on write; the errors of shmget, shmat, shmdt
 * and shmctl. Keys come from the pid and everything is removed, since the
 * native runs share the host's IPC namespace. */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

int main(void) {
    key_t key = 0x5e000000 | getpid();
    int id = shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0600);
    CHECK(id >= 0);
    CHECK_ERR(shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_RET(shmget(key, 0, 0), id);
    CHECK_RET(shmget(key, 5000, 0600), id);
    CHECK_ERR(shmget(key, 20000, 0600), EINVAL); /* larger than the segment */
    CHECK_ERR(shmget(0x5f000000 | getpid(), 100, 0600), ENOENT);
    CHECK_ERR(shmget(IPC_PRIVATE, 0, 0600), EINVAL);

    struct shmid_ds ds;
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_segsz == 10000);
    CHECK(ds.shm_nattch == 0);
    CHECK(ds.shm_perm.__key == key);
    CHECK((ds.shm_perm.mode & 0777) == 0600);
    CHECK(ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid());
    CHECK(ds.shm_cpid == getpid());
    CHECK(ds.shm_atime == 0 && ds.shm_ctime > 0);

    char *p = shmat(id, NULL, 0);
    CHECK(p != (void *)-1);
    CHECK(((uintptr_t)p & 4095) == 0);
    CHECK(p[0] == 0 && p[9999] == 0);
    char *q = shmat(id, NULL, 0);
    CHECK(q != (void *)-1 && q != p);
    strcpy(p, "hello");
    CHECK(strcmp(q, "hello") == 0);
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_nattch == 2);
    CHECK(ds.shm_lpid == getpid() && ds.shm_atime > 0);

    /* A child inherits the attaches and writes through them. */
    pid_t pid = fork();
    if (pid == 0) {
        struct shmid_ds cds;
        int bad = shmctl(id, IPC_STAT, &cds) != 0 || cds.shm_nattch != 4;
        strcpy(q, "child");
        _exit(bad);
    }
    int status;
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(strcmp(p, "child") == 0);
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_nattch == 2);

    /* A read-only attach faults on write. */
    char *ro = shmat(id, NULL, SHM_RDONLY);
    CHECK(ro != (void *)-1);
    CHECK(strcmp(ro, "child") == 0);
    CHECK_ERR(mprotect(ro, 4096, PROT_READ | PROT_WRITE), EACCES);
    pid = fork();
    if (pid == 0) {
        ro[0] = 'x';
        _exit(0);
    }
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK_OK(shmdt(ro));

    /* shmdt errors. */
    CHECK_ERR(shmdt(p + 1), EINVAL);
    CHECK_ERR(shmdt(p + 4096), EINVAL); /* not the start of an attach */
    CHECK_ERR(shmdt(&status), EINVAL);

    /* shmat at a given address: aligned, SHM_RND, taken ranges. */
    CHECK_ERR((long)shmat(id, p + 1, 0), EINVAL);
    CHECK_ERR((long)shmat(id, p, 0), EINVAL); /* already mapped there */
    CHECK_ERR((long)shmat(id, NULL, SHM_REMAP), EINVAL);
    char *area = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(area != MAP_FAILED);
    CHECK_OK(munmap(area, 3 * 4096));
    char *r = shmat(id, area + 7, SHM_RND);
    CHECK(r == area);
    CHECK(strcmp(r, "child") == 0);
    CHECK_OK(shmdt(r));
    area = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = shmat(id, area, SHM_REMAP);
    CHECK(r == area);
    CHECK(strcmp(r, "child") == 0);
    CHECK_OK(shmdt(r));
    CHECK_OK(munmap(area, 3 * 4096));

    /* IPC_RMID while attached: SHM_DEST, the key is freed, the id lives. */
    CHECK_OK(shmctl(id, IPC_RMID, NULL));
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK((ds.shm_perm.mode & SHM_DEST) != 0);
    CHECK(ds.shm_perm.__key == IPC_PRIVATE);
    CHECK(ds.shm_nattch == 2);
    CHECK_ERR(shmget(key, 100, 0600), ENOENT);
    CHECK(strcmp(p, "child") == 0);
    CHECK_OK(shmdt(q));
    CHECK_OK(shmctl(id, IPC_STAT, &ds));
    CHECK(ds.shm_nattch == 1);
    CHECK_OK(shmdt(p));
    CHECK_ERR(shmctl(id, IPC_STAT, &ds), EINVAL);
    CHECK_ERR((long)shmat(id, NULL, 0), EINVAL);

    /* IPC_SET changes the mode; the owner still gets EACCES for missing bits
     * unless it has CAP_IPC_OWNER. */
    int id2 = shmget(IPC_PRIVATE, 4096, 0600);
    CHECK(id2 >= 0);
    CHECK_OK(shmctl(id2, IPC_STAT, &ds));
    ds.shm_perm.mode = 0400;
    CHECK_OK(shmctl(id2, IPC_SET, &ds));
    CHECK_OK(shmctl(id2, IPC_STAT, &ds));
    CHECK((ds.shm_perm.mode & 0777) == 0400);
    if (geteuid() != 0) {
        CHECK_ERR((long)shmat(id2, NULL, 0), EACCES);
    }
    char *rd = shmat(id2, NULL, SHM_RDONLY);
    CHECK(rd != (void *)-1);
    /* Exit detaches: a child's attach is gone when it is reaped. */
    pid = fork();
    if (pid == 0) {
        shmat(id2, NULL, SHM_RDONLY);
        _exit(0);
    }
    CHECK_RET(waitpid(pid, &status, 0), pid);
    CHECK_OK(shmctl(id2, IPC_STAT, &ds));
    CHECK(ds.shm_nattch == 1);
    CHECK_OK(shmdt(rd));
    CHECK_OK(shmctl(id2, IPC_RMID, NULL));

    /* shmctl errors and limits. */
    CHECK_ERR(shmctl(-1, IPC_STAT, &ds), EINVAL);
    CHECK_ERR(shmctl(id2, IPC_STAT, &ds), EINVAL);
    int id3 = shmget(IPC_PRIVATE, 1, 0600);
    CHECK(id3 >= 0);
    CHECK_ERR(shmctl(id3, IPC_STAT, (void *)8), EFAULT);
    CHECK_ERR(shmctl(id3, 1234, &ds), EINVAL);
    CHECK_OK(shmctl(id3, IPC_RMID, NULL));
    struct shminfo info;
    CHECK_OK(shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
    CHECK(info.shmmin == 1);
    CHECK(info.shmmni == 4096);
    CHECK(info.shmmax >= 0x7fffffff);
    return check_status();
}
