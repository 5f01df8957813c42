/* Cortex-M4 start-up for qemu's mps2-an386: the vector table at address 0, and a reset handler
   that turns the FPU on (CPACR CP10/CP11) before newlib's _start; without it the first VFP
   instruction faults. Compiled as C++ too, hence the extern "C". */
#ifdef __cplusplus
extern "C" {
#endif
extern void _start(void);
extern char __stack[];

static void halt(void) {
    for (;;) {
    }
}

__attribute__((noreturn)) void reset_handler(void) {
    *(volatile unsigned*)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n isb");
    _start();
    for (;;) {
    }
}

/* Initial stack pointer, reset, NMI, hard fault, memory management, bus and usage faults,
   4 reserved, SVCall, debug monitor, reserved, PendSV, SysTick. */
__attribute__((section(".vectors"), used)) void (*const vector_table[16])(void) = {
    (void (*)(void))__stack, reset_handler, halt, halt, halt, halt, halt, 0, 0, 0, 0, halt, halt, 0, halt, halt};
#ifdef __cplusplus
}
#endif
