//! Assembly both stub images share, as `global_asm!` template pieces.

/// The start of a stub image: from the sentry's text, where a forked child
/// begins, map a private page at `{base}` (`{size}` bytes), copy the image
/// from `$start` to `$end` into it, make it read-only and executable, and
/// continue in the copy, which installs the seccomp program whose address
/// is in `r12`; what follows the macro runs under the filter. On a failure
/// it jumps to `$fail`. Needs the `base` and `size` operands, and uses the
/// local label `2:`.
macro_rules! relocate_to_stub_page {
    ($start:literal, $end:literal, $fail:literal) => {
        concat!(
            // mmap(STUB_BASE, STUB_SIZE, PROT_READ|PROT_WRITE,
            //      MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
            "    mov $9, %eax\n",
            "    movabs ${base}, %rdi\n",
            "    mov ${size}, %esi\n",
            "    mov $3, %edx\n",
            "    mov $0x32, %r10d\n",
            "    mov $-1, %r8\n",
            "    xor %r9d, %r9d\n",
            "    syscall\n",
            "    cmp %rdi, %rax\n",
            "    jne ",
            $fail,
            "\n",
            "    lea ",
            $start,
            "(%rip), %rsi\n",
            "    lea ",
            $end,
            "(%rip), %rcx\n",
            "    sub %rsi, %rcx\n",
            "    rep movsb\n",
            // mprotect(STUB_BASE, STUB_SIZE, PROT_READ|PROT_EXEC)
            "    mov $10, %eax\n",
            "    movabs ${base}, %rdi\n",
            "    mov ${size}, %esi\n",
            "    mov $5, %edx\n",
            "    syscall\n",
            "    test %rax, %rax\n",
            "    jnz ",
            $fail,
            "\n",
            // Continue in the copy.
            "    movabs ${base}, %rax\n",
            "    add $(2f - ",
            $start,
            "), %rax\n",
            "    jmp *%rax\n",
            "2:\n",
            // seccomp(SECCOMP_SET_MODE_FILTER, 0, prog)
            "    mov $317, %eax\n",
            "    mov $1, %edi\n",
            "    xor %esi, %esi\n",
            "    mov %r12, %rdx\n",
            "    syscall\n",
            "    test %rax, %rax\n",
            "    jnz ",
            $fail,
            "\n",
        )
    };
}

pub(crate) use relocate_to_stub_page;
