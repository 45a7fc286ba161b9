; expect: shutdown
; A fault while delivering a double fault shuts the processor down (SDM Vol. 3A §6.15, interrupt 8:
; "If another exception occurs while attempting to call the double-fault handler, the processor
; enters shutdown mode"). Here the IDT is made empty: #UD cannot be delivered (#GP), the #GP cannot
; be delivered either (contributory during contributory → #DF), and #DF cannot be delivered.
%include "lib.inc"

test_main:
  mov word [idtr], 0
  lidt [idtr]
  ud2
  FAILED "UD2 with an empty IDT did not shut down"
