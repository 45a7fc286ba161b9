; 32-bit paging faults (SDM Vol. 3A §4.7): the #PF error code has P (bit 0: the page was present, a
; protection violation), W/R (bit 1: a write), U/S (bit 2: CPL 3), RSVD (bit 3: a reserved bit was
; set); CR2 holds the linear address. Supervisor writes to read-only pages succeed unless CR0.WP is
; set (§4.6.1). Accessed and dirty flags are set in the entries (§4.8). INVLPG and a CR3 load make
; a changed entry take effect (§4.10.4.1); CR4.PSE enables 4 MiB pages (§4.3).
%include "lib.inc"

PD  equ 0x200000
PT0 equ 0x201000
NP  equ 0x380000                ; not present
URO equ 0x381000                ; user, read-only
SRW equ 0x382000                ; supervisor, read/write
FRESH equ 0x384000              ; present, A = D = 0
MOVED equ 0x385000              ; remapped below
BIG equ 0x400000                ; a 4 MiB page onto physical 0

%macro PF 4                     ; expected error code, CR2, instruction, what
  TRAP_TO %%b
%%i:
  %3
  FAILED %4
%%b:
  CHECK [last_vec], 14, %4
  CHECK [last_err], %1, %4
  CHECK [last_cr2], %2, %4
  CHECK [last_eip], %%i, %4
%endmacro

test_main:
  ; Identity map 0–4 MiB with user read/write pages, then carve out the test pages.
  mov edi, PT0
  mov eax, 7
.fill:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 4096
  jne .fill
  mov dword [PT0 + (NP >> 12) * 4], 0
  mov dword [PT0 + (URO >> 12) * 4], URO | 5
  mov dword [PT0 + (SRW >> 12) * 4], SRW | 3
  mov dword [PT0 + (FRESH >> 12) * 4], FRESH | 7
  mov dword [PD], PT0 | 7
  mov dword [PD + 4], 0 | 0x87  ; 4 MiB page: P, RW, U, PS → physical 0
  mov dword [PD + 8], 0         ; 8–12 MiB not present
  mov eax, cr4
  or eax, 0x10                  ; PSE
  mov cr4, eax
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  PF 0, NP + 0x10, {mov eax, [NP + 0x10]}, "read of a not-present page at CPL 0: error code 0"
  PF 2, NP + 0x20, {mov dword [NP + 0x20], 1}, "write to a not-present page at CPL 0: error code 2"
  PF 0, 0x800004, {mov eax, [0x800004]}, "not-present page-directory entry: error code 0"

  mov dword [URO + 8], 0x1234   ; CR0.WP = 0: a supervisor write to a read-only page succeeds
  CHECK [URO + 8], 0x1234, "supervisor write to a read-only page with CR0.WP = 0 succeeds"
  mov eax, cr0
  or eax, 0x10000               ; WP
  mov cr0, eax
  PF 3, URO + 12, {mov dword [URO + 12], 1}, "supervisor write to a read-only page with CR0.WP = 1: error code 3"
  mov eax, cr0
  and eax, ~0x10000
  mov cr0, eax

  ; User-mode accesses.
  AT_RING RING3, {mov eax, [NP]}, 14, 4, "user read of a not-present page: error code 4"
  CHECK [last_cr2], NP, "CR2 = the linear address (user read)"
  AT_RING RING3, {mov dword [URO], 5}, 14, 7, "user write to a read-only user page: error code 7"
  AT_RING RING3, {mov eax, [SRW + 4]}, 14, 5, "user read of a supervisor page: error code 5"
  CHECK [last_cr2], SRW + 4, "CR2 = the linear address (supervisor page)"
  AT_RING RING3, {mov dword [SRW], 5}, 14, 7, "user write to a supervisor page: error code 7"
  TRAP_TO .uro
  TO_RING RING3, .r3, 0x2
.r3:
  mov eax, [ss:URO]
  int VEC_SYSCALL
.uro:
  CHECK [last_vec], VEC_SYSCALL, "user read of a read-only user page is allowed"

  ; Accessed and dirty flags.
  mov eax, [PT0 + (FRESH >> 12) * 4]
  and eax, 0x60
  CHECK eax, 0, "a fresh PTE has A = D = 0"
  mov eax, [FRESH]
  mov eax, [PT0 + (FRESH >> 12) * 4]
  and eax, 0x60
  CHECK eax, 0x20, "a read sets A, not D"
  mov dword [FRESH], 1
  mov eax, [PT0 + (FRESH >> 12) * 4]
  and eax, 0x60
  CHECK eax, 0x60, "a write sets D"
  mov eax, [PD]
  and eax, 0x20
  CHECK eax, 0x20, "the page-directory entry's A is set too"

  ; INVLPG: remap MOVED onto FRESH's frame; after INVLPG reads see the new frame.
  mov dword [MOVED], 0x11111111
  mov dword [FRESH], 0x22222222
  mov eax, [MOVED]
  mov dword [PT0 + (MOVED >> 12) * 4], FRESH | 7
  invlpg [MOVED]
  CHECK [MOVED], 0x22222222, "after INVLPG the new translation is used"
  ; A CR3 load flushes non-global translations.
  mov dword [PT0 + (MOVED >> 12) * 4], MOVED | 7
  mov eax, cr3
  mov cr3, eax
  CHECK [MOVED], 0x11111111, "after a CR3 load the new translation is used"

  ; The 4 MiB page at 4 MiB maps physical 0: it aliases the identity-mapped first 4 MiB.
  mov dword [magic], 0x600df00d
  CHECK [BIG + magic], 0x600df00d, "a 4 MiB page (CR4.PSE) translates with the low 22 bits as offset"
  mov eax, [PD + 4]
  and eax, 0x20
  CHECK eax, 0x20, "the 4 MiB page's directory entry gets A"
  ; Reserved bits 21:13 of a 4 MiB PDE set: #PF with RSVD and P.
  mov dword [PD + 4], 0x2000 | 0x87
  invlpg [BIG]
  PF 9, BIG + 4, {mov eax, [BIG + 4]}, "reserved bit in a 4 MiB PDE: error code 9 (P | RSVD)"
  mov eax, cr0
  and eax, 0x7fffffff
  mov cr0, eax
  ret

section .data
magic: dd 0
section .text
