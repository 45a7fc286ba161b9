; EPT in VMX non-root operation (SDM Vol. 3C §29.3): violations (48) on first touch of an unmapped
; page, on a write to a read-only page, on a fetch from a page without execute permission, on a read
; of an execute-only page and on a guest page-table access; a misconfiguration (49) for the MMIO
; window; a stale translation dropped by the monitor's INVEPT; and the two-dimensional walk of a
; guest with paging on. VMCALL with EAX = n asks the monitor (ept-exits.test.ts) for step n; after a
; violation the monitor fixes the mapping and the guest re-executes the instruction.
%include "lib.inc"

UNMAPPED equ 0x900000
READONLY equ 0x901000
NOEXEC   equ 0x902000
XONLY    equ 0x903000
PD1      equ 0x904000           ; guest page directory on a page EPT does not map
PAGE_W   equ 0x905000
PD2      equ 0x906000           ; guest paging for the 2D walk: 4 KiB pages over 4 KiB EPT pages
PT2      equ 0x907000
DATA     equ 0x908000

%macro ASK 1
  mov eax, %1
  vmcall
%endmacro

test_main:
  mov byte [NOEXEC], 0xc3       ; RETs, written while the pages are still writable
  mov byte [XONLY], 0xc3
  mov dword [PD1], 0x83         ; PD1: one 4 MiB page at 0 (the code)
  mov dword [PD2], 0x83         ; PD2: 4 MiB at 0, and linear 0x400000 → DATA through PT2
  mov dword [PD2 + 4], PT2 | 3
  mov dword [PT2], DATA | 3
  mov dword [DATA + 0xabc], 0x600dcafe
  ASK 0                         ; the monitor changes the EPT mappings for the steps below

.touch:
  mov eax, [UNMAPPED]           ; 48: read, nothing mapped; the monitor maps a page it filled
  CHECK eax, 0x5a5a5a5a, "read the page the monitor mapped"
.write_ro:
  mov dword [READONLY], 1       ; 48: write to a page mapped read + execute
  CHECK [READONLY], 1, "the write went through once the page was writable"
.fetch:
  call NOEXEC                   ; 48 at NOEXEC: fetch from a page mapped read + write
.xread_call:
  call XONLY                    ; no exit: XONLY is execute-only and holds a RET
.xread:
  mov eax, [XONLY]              ; 48: read of an execute-only page
  CHECK eax, 0xc3, "read the RET byte once readable"

  ; a guest page-table access through EPT: PD1 is not mapped
  mov eax, cr4
  or eax, 1 << 4
  mov cr4, eax
  mov eax, PD1
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
.after_pg:
  nop                           ; 48 fetching here: the PDE read faults in EPT (paging-structure access)
  and eax, 0x7fffffff
  mov cr0, eax

.mmio:
  mov eax, [0xfeb00000]         ; 49: the virtio-mmio window; emulated, reads the magic value
  CHECK eax, 0x74726976, "virtio magic read through the emulator"

  mov dword [PAGE_W], 1         ; the TLB now maps PAGE_W writable
  ASK 1                         ; the monitor write-protects PAGE_W and flushes (INVEPT)
.stale:
  mov dword [PAGE_W], 2         ; 48: write to the protected page, not through the stale entry
  CHECK [PAGE_W], 2, "the write went through after the monitor allowed it again"

  ASK 2                         ; the monitor traces walks from here
  mov eax, PD2
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax
.walk:
  mov eax, [0x400abc]           ; guest PDE, guest PTE, data: each guest-physical address through EPT
  mov ebx, cr0
  and ebx, 0x7fffffff
  mov cr0, ebx
  CHECK eax, 0x600dcafe, "read through guest paging and EPT"
  ASK 3
  ret
