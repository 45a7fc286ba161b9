; Global pages (SDM Vol. 3A §4.10.2.4 "Global Pages", §4.10.4.1 "Operations that Invalidate TLBs and
; Paging-Structure Caches"): with CR4.PGE set, a translation whose PTE has G (bit 8) set is global. A
; MOV to CR3 invalidates every TLB entry except the global ones; INVLPG invalidates the page's entry,
; global or not; a MOV to CR4 that changes PGE invalidates all entries, global ones included. With
; CR4.PGE clear, G is ignored and a MOV to CR3 invalidates every entry.
;
; A stale translation is how a program sees a TLB entry: the test changes a PTE without invalidating
; it, and reads through the page. The SDM allows a processor to drop any entry at any time; Ringside's
; TLB keeps each one until an invalidation removes it [R], which is what makes "survives" observable.
%include "lib.inc"

PD   equ 0x200000
PT0  equ 0x201000
GPG  equ 0x380000               ; the global page under test
LPG  equ 0x381000               ; a non-global page beside it
OLD  equ 0x390000               ; the frames they map to, before and after the PTE changes
NEW  equ 0x391000
LOLD equ 0x392000
LNEW equ 0x393000

PTE_G equ 0x100

%macro SEES 3                   ; linear address, expected frame's marker, "what"
  mov eax, [%1]
  CHECK eax, %2, %3
%endmacro

test_main:
  ; Identity map 0–4 MiB with 4 KiB pages; each frame under test holds its own address as a marker.
  mov edi, PT0
  mov eax, 3
.fill:
  mov [edi], eax
  add eax, 0x1000
  add edi, 4
  cmp edi, PT0 + 4096
  jne .fill
  mov dword [PD], PT0 | 3
  mov dword [OLD], OLD
  mov dword [NEW], NEW
  mov dword [LOLD], LOLD
  mov dword [LNEW], LNEW
  mov dword [PT0 + (GPG >> 12) * 4], OLD | PTE_G | 3
  mov dword [PT0 + (LPG >> 12) * 4], LOLD | 3
  mov eax, cr4
  or eax, 0x80                  ; PGE
  mov cr4, eax
  mov eax, PD
  mov cr3, eax
  mov eax, cr0
  or eax, 0x80000000
  mov cr0, eax

  ; Fill both TLB entries, then point both PTEs at the other frames without invalidating anything.
  SEES GPG, OLD, "the global page maps its first frame"
  SEES LPG, LOLD, "the non-global page maps its first frame"
  mov dword [PT0 + (GPG >> 12) * 4], NEW | PTE_G | 3
  mov dword [PT0 + (LPG >> 12) * 4], LNEW | 3
  SEES GPG, OLD, "a changed PTE does not take effect before an invalidation (global page)"
  SEES LPG, LOLD, "a changed PTE does not take effect before an invalidation (non-global page)"

  ; MOV to CR3 (the same value): the non-global entry goes, the global one stays.
  mov eax, PD
  mov cr3, eax
  SEES LPG, LNEW, "MOV to CR3 invalidates a non-global TLB entry"
  SEES GPG, OLD, "MOV to CR3 keeps a global TLB entry (CR4.PGE = 1)"

  ; INVLPG invalidates the global entry.
  invlpg [GPG]
  SEES GPG, NEW, "INVLPG invalidates a global TLB entry"

  ; Toggling CR4.PGE invalidates global entries. The TLB now holds GPG → NEW (global).
  mov dword [PT0 + (GPG >> 12) * 4], OLD | PTE_G | 3
  mov eax, PD
  mov cr3, eax
  SEES GPG, NEW, "the new global entry survives MOV to CR3 too"
  mov eax, cr4
  and eax, ~0x80
  mov cr4, eax
  SEES GPG, OLD, "clearing CR4.PGE invalidates global TLB entries"

  ; With CR4.PGE clear, G is ignored: MOV to CR3 invalidates the entry. The TLB holds GPG → OLD.
  mov dword [PT0 + (GPG >> 12) * 4], NEW | PTE_G | 3
  mov eax, PD
  mov cr3, eax
  SEES GPG, NEW, "with CR4.PGE = 0, MOV to CR3 invalidates an entry whose PTE has G set"

  ; Setting CR4.PGE invalidates everything too. The TLB holds GPG → NEW, not global (PGE was 0).
  mov dword [PT0 + (GPG >> 12) * 4], OLD | PTE_G | 3
  mov eax, cr4
  or eax, 0x80
  mov cr4, eax
  SEES GPG, OLD, "setting CR4.PGE invalidates the TLB"

  mov eax, cr0
  and eax, ~0x80000000
  mov cr0, eax
  ret
