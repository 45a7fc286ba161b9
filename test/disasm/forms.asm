; Instruction forms for the disassembler test: every integer and system instruction class the
; inspector must print like `objdump -d -M intel`, in 32-bit code. Assembled with `nasm -f elf32`.
bits 32
section .text

; ---- ALU: every opcode form, 8/16/32-bit -----------------------------------------------------
%macro alu 1
  %1 al, cl
  %1 byte [eax], dl
  %1 bl, byte [ecx+0x10]
  %1 ax, dx
  %1 word [ebx], si
  %1 di, word [esp+0x4]
  %1 eax, edx
  %1 dword [ebp-0x8], esi
  %1 edi, dword [0x12345678]
  %1 al, 0x7f
  %1 ax, 0x1234
  %1 eax, 0x12345678
  %1 bl, 0x80
  %1 byte [esi], 0xff
  %1 cx, 0x1234
  %1 word [edi+0x100], 0x8000
  %1 ecx, 0x12345678
  %1 dword [eax+ebx*4], 0xdeadbeef
  %1 edx, byte 0x7f
  %1 edx, byte -0x80
  %1 si, byte -0x1
  %1 dword [esp], byte -0x10
  %1 word [ebp+0x8], byte 0x3
%endmacro
  alu add
  alu or
  alu adc
  alu sbb
  alu and
  alu sub
  alu xor
  alu cmp
  db 0x82, 0xc0, 0x01           ; add al,0x1 through the 82 alias
  db 0x82, 0x38, 0xff           ; cmp BYTE PTR [eax],0xff

%macro unary 1
  %1 al
  %1 byte [eax]
  %1 cx
  %1 word [ecx+0x2]
  %1 edx
  %1 dword [edx+esi*2+0x10]
%endmacro
  unary not
  unary neg
  unary mul
  unary imul
  unary div
  unary idiv
  unary inc
  unary dec
  test al, 0x1
  test ax, 0x100
  test eax, 0x10000
  test bl, cl
  test byte [eax], 0x80
  test word [ebx], 0x8000
  test dword [ecx], 0x80000000
  test edx, esi
  test dword [esp+0x8], eax
  db 0xf6, 0xc8, 0x01           ; test al,0x1 through /1
  imul eax, ecx
  imul ax, word [ebx]
  imul esi, dword [edi], 0x10
  imul esi, edi, -0x2
  imul eax, ebx, 0x12345
  imul cx, dx, 0x1234
  imul cx, dx, -0x5

%macro shifts 1
  %1 al, 1
  %1 byte [eax], 1
  %1 cl, cl
  %1 byte [ecx], cl
  %1 dl, 0x3
  %1 ax, 1
  %1 word [edx], cl
  %1 bx, 0xf
  %1 eax, 1
  %1 dword [ebx+0x4], 1
  %1 esi, cl
  %1 edi, 0x1f
  %1 dword [esp], 0x7
%endmacro
  shifts rol
  shifts ror
  shifts rcl
  shifts rcr
  shifts shl
  shifts shr
  shifts sar
  db 0xd1, 0xf0                 ; the /6 alias of shl

; ---- moves, exchanges, conversions ------------------------------------------------------------
  mov al, 0x12
  mov ah, 0xff
  mov bh, 0x0
  mov ax, 0xffff
  mov ecx, 0x12345678
  mov edi, -0x1
  mov al, [0x12345678]
  mov ax, [0x12345678]
  mov eax, [0x12345678]
  mov [0x12345678], al
  mov [0x12345678], ax
  mov [0x12345678], eax
  mov byte [eax], 0x1
  mov word [eax], 0x1234
  mov dword [eax], 0x12345678
  mov byte [ebx+ecx*2+0x7f], bl
  mov cl, byte [edx-0x80]
  mov si, word [esi]
  mov word [edi], bp
  mov esp, ebp
  mov es, ax
  mov ds, eax
  mov ss, word [eax]
  mov fs, dx
  mov gs, word [ebx+0x4]
  mov ax, cs
  mov ebx, ds
  mov word [ecx], es
  mov word [ecx], ss
  mov eax, cr0
  mov ebx, cr2
  mov ecx, cr3
  mov edx, cr4
  mov cr0, eax
  mov cr3, edi
  mov cr4, esi
  mov eax, dr0
  mov esi, dr3
  mov edi, dr6
  mov edx, dr7
  mov dr7, eax
  mov dr1, ecx
  lea eax, [ebx+ecx*4+0x10]
  lea si, [bx+di+0x2]
  lea esi, [esi+0x0]
  lea edi, [edi*8]
  xchg eax, ecx
  xchg ax, dx
  xchg al, bl
  xchg byte [eax], cl
  xchg word [ebx], si
  xchg dword [esp], edi
  movzx eax, al
  movzx eax, byte [ebx]
  movzx ecx, word [esi+0x2]
  movzx ax, bl
  movsx edx, dh
  movsx edx, word [edx]
  movsx si, byte [edi]
  cbw
  cwde
  cwd
  cdq
  bswap eax
  bswap edi
  xlatb
  es xlatb
  lahf
  sahf
  cmc
  clc
  stc
  cld
  std
  cli
  sti
  daa
  das
  aaa
  aas
  aam
  aad
  aam 0x8
  aad 0x10
  salc
  bound eax, [ebx]
  bound cx, [edx]
  arpl word [eax], bx
  arpl cx, dx
  les eax, [ebx]
  lds cx, [esi]
  lss esp, [eax+0x4]
  lfs edi, [ecx]
  lgs bx, [ebp]

; ---- stack ------------------------------------------------------------------------------------
  push eax
  push sp
  pop edi
  pop dx
  push 0x1
  push -0x1
  push 0x12345678
  push word 0x1234
  push word -0x2
  push dword [eax]
  push word [ebx]
  pop dword [ecx]
  pop word [edx]
  push es
  push cs
  push ss
  push ds
  push fs
  push gs
  pop es
  pop ss
  pop ds
  pop fs
  pop gs
  o16 push es
  o16 push fs
  o16 pop gs
  pusha
  pushad
  pushaw
  popa
  popad
  popaw
  pushf
  pushfd
  pushfw
  popf
  popfd
  popfw
  enter 0x10, 0x0
  enter 0x1234, 0x3
  o16 enter 0x8, 0x1
  leave
  o16 leave

; ---- control flow -----------------------------------------------------------------------------
here:
  jmp short here
  jmp near here
  jmp eax
  jmp dword [eax]
  jmp word [ebx]
  jmp bx
  jmp far [esi]
  jmp far [ebx+0x8]
  o16 jmp far [eax]
  jmp 0x1234:0x12345678
  jmp word 0x10:0x5678
  call here
  call ecx
  call dword [ebx+esi*4]
  call far [edi]
  call 0x8:0x100000
  call word 0x18:0x1234
  call word here
  jmp word here
  ret
  ret 0x8
  o16 ret
  retf
  retf 0x10
  o16 retf
  iret
  iretd
  iretw
  int 0x80
  int3
  int 0x3
  into
  int1
%macro jcc_all 1
  jo %1
  jno %1
  jb %1
  jae %1
  je %1
  jne %1
  jbe %1
  ja %1
  js %1
  jns %1
  jp %1
  jnp %1
  jl %1
  jge %1
  jle %1
  jg %1
%endmacro
  jcc_all short here
  jcc_all near here
near_target:
  loop near_target
  loope near_target
  loopne near_target
  jecxz near_target
  a16 jcxz near_target
  a16 loop near_target
  jmp word near here
  db 0x66, 0x0f, 0x84, 0x00, 0x10 ; je rel16

; ---- string instructions ----------------------------------------------------------------------
  movsb
  movsw
  movsd
  cmpsb
  cmpsw
  cmpsd
  scasb
  scasw
  scasd
  lodsb
  lodsw
  lodsd
  stosb
  stosw
  stosd
  insb
  insw
  insd
  outsb
  outsw
  outsd
  rep movsb
  rep movsd
  rep stosb
  rep stosd
  rep stosw
  rep lodsb
  rep insb
  rep outsd
  repe cmpsb
  repne cmpsd
  repe scasb
  repne scasb
  fs movsb
  es lodsd
  cs cmpsw
  gs outsb
  a16 movsb
  a16 rep stosd
  a16 repne scasw

; ---- I/O --------------------------------------------------------------------------------------
  in al, 0x60
  in ax, 0x71
  in eax, 0xcf
  out 0x80, al
  out 0x43, ax
  out 0xf0, eax
  in al, dx
  in ax, dx
  in eax, dx
  out dx, al
  out dx, ax
  out dx, eax

; ---- 0F: bit instructions, conditional moves and sets, atomics --------------------------------
%macro cmov_all 2
  cmovo %1, %2
  cmovno %1, %2
  cmovb %1, %2
  cmovae %1, %2
  cmove %1, %2
  cmovne %1, %2
  cmovbe %1, %2
  cmova %1, %2
  cmovs %1, %2
  cmovns %1, %2
  cmovp %1, %2
  cmovnp %1, %2
  cmovl %1, %2
  cmovge %1, %2
  cmovle %1, %2
  cmovg %1, %2
%endmacro
  cmov_all eax, ecx
  cmov_all dx, word [ebx]
%macro set_all 1
  seto %1
  setno %1
  setb %1
  setae %1
  sete %1
  setne %1
  setbe %1
  seta %1
  sets %1
  setns %1
  setp %1
  setnp %1
  setl %1
  setge %1
  setle %1
  setg %1
%endmacro
  set_all al
  set_all byte [edi+0x1]
%macro bitops 1
  %1 eax, ecx
  %1 dword [ebx], edx
  %1 si, di
  %1 word [eax+0x2], cx
  %1 edx, 0x1f
  %1 dword [esi], 0x3
  %1 bx, 0xf
%endmacro
  bitops bt
  bitops bts
  bitops btr
  bitops btc
  bsf eax, ecx
  bsf cx, word [eax]
  bsr edx, dword [ebx+0x4]
  bsr si, di
  shld eax, ecx, 0x4
  shld dword [ebx], edx, cl
  shld ax, bx, 0x1
  shrd esi, edi, 0x1f
  shrd word [eax], cx, cl
  shrd edx, eax, cl
  cmpxchg bl, cl
  cmpxchg dword [esi], edi
  cmpxchg word [eax], dx
  cmpxchg8b [edi]
  xadd al, bl
  xadd dword [ecx], eax
  xadd si, di
  lock add dword [eax], 0x1
  lock inc dword [ebx]
  lock dec byte [ecx]
  lock xadd dword [edx], eax
  lock cmpxchg dword [esi], ecx
  lock cmpxchg8b [edi]
  lock bts dword [eax], 0x3
  lock not word [ebx]
  lock neg dword [ecx]
  lock or byte [edx], 0x40
  lock xchg dword [eax], ecx
  lock sbb dword [esp+0x4], edx
  xacquire lock add dword [eax], ebx
  xrelease lock add dword [eax], ebx
  xrelease mov dword [eax], 0x0
  xacquire xchg dword [ecx], edx
  popcnt eax, ecx
  popcnt dx, word [ebx]
  lzcnt eax, dword [esi]
  tzcnt ecx, edx
  movbe eax, dword [ebx]
  movbe word [ecx], dx
  crc32 eax, byte [ebx]
  crc32 eax, dword [ecx]
  crc32 eax, dx
  ud2
  ud1 eax, ecx
  ud0 edx, dword [eax]

; ---- system instructions ----------------------------------------------------------------------
  lgdt [eax]
  lidt [ebx+0x10]
  sgdt [ecx]
  sidt [0x1000]
  o16 lgdt [eax]
  o16 sidt [edx]
  lldt ax
  lldt word [ebx]
  sldt eax
  sldt word [ecx]
  sldt dx
  ltr cx
  ltr word [edx]
  str ebx
  str word [esi]
  lmsw ax
  lmsw word [eax]
  smsw eax
  smsw word [ebx]
  smsw cx
  lar eax, ecx
  lar eax, word [ebx]
  lar dx, si
  lsl ecx, edx
  lsl esi, word [eax]
  verr ax
  verr word [ebx]
  verw cx
  verw word [edx+0x2]
  clts
  invlpg [eax]
  invlpg [ebx+ecx*4+0x1000]
  invd
  wbinvd
  rdmsr
  wrmsr
  rdtsc
  rdtscp
  rdpmc
  cpuid
  hlt
  rsm
  sysenter
  sysexit
  syscall
  sysret
  monitor
  mwait
  xgetbv
  xsetbv
  getsec
  invpcid eax, [ebx]
  clflush [eax]
  lfence
  mfence
  sfence
  fxsave [eax]
  fxrstor [ebx]
  xsave [ecx]
  xrstor [edx]
  rdrand eax
  rdseed cx
  rdpid eax

; ---- VMX and SVM ------------------------------------------------------------------------------
  vmcall
  vmlaunch
  vmresume
  vmxoff
  vmxon [eax]
  vmxon [0x2000]
  vmptrld [ebx]
  vmptrst [ecx+0x8]
  vmclear [edx]
  vmread eax, ecx
  vmread dword [ebx], edx
  vmwrite esi, edi
  vmwrite eax, dword [ecx]
  invept eax, [ebx]
  invvpid ecx, [edx+0x10]
  vmfunc
  vmrun
  vmmcall
  vmload
  vmsave
  stgi
  clgi
  db 0x0f, 0x01, 0xde            ; skinit
  invlpga

; ---- NOPs -------------------------------------------------------------------------------------
  nop
  o16 nop
  pause
  nop eax
  nop dword [eax]
  nop dword [eax+0x0]
  nop dword [eax+eax*1+0x0]
  nop word [eax+eax*1+0x0]
  nop dword [eax+0x0]
  nop dword [eax+eax*1+0x00000000]
  db 0x0f, 0x1f, 0x00                                            ; 3-byte nop
  db 0x0f, 0x1f, 0x40, 0x00                                      ; 4-byte nop
  db 0x0f, 0x1f, 0x44, 0x00, 0x00                                ; 5-byte nop
  db 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00                          ; 6-byte nop
  db 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00                    ; 7-byte nop
  db 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00              ; 8-byte nop
  db 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00        ; 9-byte nop
  db 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00  ; 10-byte nop
  db 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
  db 0x8d, 0x76, 0x00                                            ; lea esi,[esi+0x0]
  db 0x8d, 0xb4, 0x26, 0x00, 0x00, 0x00, 0x00                    ; lea esi,[esi+eiz*1+0x0]
  db 0x8d, 0x74, 0x26, 0x00                                      ; lea esi,[esi+eiz*1+0x0]
  db 0x87, 0xc0                                                  ; xchg eax,eax
  db 0x0f, 0x18, 0x20                                            ; hint nop
  db 0x0f, 0x19, 0xc0
  db 0x0f, 0x1d, 0x04, 0x24
  db 0xf3, 0x0f, 0x1e, 0xfb                                      ; endbr32

; ---- prefixes and odd encodings ---------------------------------------------------------------
  mov eax, [cs:ebx]
  mov eax, [ss:esp]
  mov eax, [ds:ebp]
  mov eax, [es:0x1234]
  mov byte [fs:0x0], 0x1
  mov eax, [gs:eax+ecx*8]
  db 0x3e, 0x8b, 0x00           ; ds prefix, printed as an override
  db 0x2e, 0x3e, 0x8b, 0x00     ; two segment prefixes: the last one wins
  db 0x66, 0x66, 0x89, 0xc0     ; redundant data16
  db 0x67, 0x67, 0x8b, 0x00     ; redundant addr16
  db 0xf3, 0x8b, 0x00           ; rep on a non-string instruction
  db 0xf2, 0x01, 0xc0
  db 0xf3, 0xc3                 ; repz ret
  db 0xf2, 0xc3                 ; bnd ret
  db 0xf2, 0xe8, 0, 0, 0, 0     ; bnd call
  db 0x3e, 0xff, 0xd0           ; notrack call eax
  db 0x2e, 0x74, 0x00           ; branch hints
  db 0x3e, 0x75, 0x00
  db 0x66, 0xeb, 0x00           ; data16 on a short jump
  db 0x67, 0x90                 ; unused addr16
  db 0x66, 0x90                 ; xchg ax,ax
  db 0x9b                       ; fwait alone
  db 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00 ; [eiz*1+0x10]
  db 0x8b, 0x04, 0x20           ; [eax+eiz*1]
  db 0x8b, 0x04, 0x64           ; [esp+eiz*2]
  db 0x8b, 0x44, 0x25, 0x00     ; [ebp+eiz*1+0x0]
  db 0x8b, 0x80, 0x00, 0x00, 0x00, 0x80 ; [eax-0x80000000]
  db 0x8e, 0xf0                 ; mov to a reserved segment register
  db 0x0f, 0x24, 0xc0           ; mov from a test register
  db 0x0f, 0x26, 0xd8
  db 0xf0, 0x0f, 0x20, 0xc0     ; lock mov eax,cr8
  db 0xd6                       ; salc is (bad) to objdump
  db 0x0f, 0xff, 0xc0
  db 0xc6, 0xf8, 0x01           ; xabort
  db 0xc7, 0xf8, 0, 0, 0, 0     ; xbegin

; ---- ModRM/SIB: every base, index and scale, three displacement sizes ------------------------
%macro sib_row 2
  mov edx, [%1 + %2*1]
  mov edx, [%1 + %2*2 + 0x11]
  mov edx, [%1 + %2*4 - 0x22]
  mov edx, [%1 + %2*8 + 0x12345678]
%endmacro
%macro sib_base 1
  mov ecx, [%1]
  mov ecx, [%1 + 0x7f]
  mov ecx, [%1 - 0x80]
  mov ecx, [%1 + 0x12345678]
  mov ecx, [%1 - 0x12345678]
  sib_row %1, eax
  sib_row %1, ecx
  sib_row %1, edx
  sib_row %1, ebx
  sib_row %1, ebp
  sib_row %1, esi
  sib_row %1, edi
%endmacro
  sib_base eax
  sib_base ecx
  sib_base edx
  sib_base ebx
  sib_base esp
  sib_base ebp
  sib_base esi
  sib_base edi
%macro no_base 1
  mov eax, [nosplit %1*1 + 0x10]
  mov eax, [%1*2 + 0x0]
  mov eax, [%1*4 - 0x4]
  mov eax, [%1*8 + 0x12345678]
%endmacro
  no_base eax
  no_base ecx
  no_base ebp
  no_base edi
  mov eax, [0x0]
  mov eax, [0xfffffff0]

; ---- 16-bit addressing and 16-bit operands ----------------------------------------------------
%macro addr16 1
  mov %1, [bx+si]
  mov %1, [bx+di+0x7f]
  mov %1, [bp+si-0x80]
  mov %1, [bp+di+0x1234]
  mov %1, [si]
  mov %1, [di-0x1]
  mov %1, [bp]
  mov %1, [bp+0x8000]
  mov %1, [bx]
  mov %1, [bx+0x0]
%endmacro
  addr16 eax
  addr16 ax
  addr16 al
  a16 mov eax, [0x1234]
  a16 mov eax, [es:0xfff0]
  a16 lea ax, [bx+si+0x2]
  a16 inc dword [bp+di]
  a16 call dword [bx]
  a16 lgdt [bx]
  o16 add ax, bx
  o16 mov word [eax], 0x1
  o16 inc ax
  push word 0x1234
  o16 in ax, dx

; ---- x87 --------------------------------------------------------------------------------------
%macro x87_arith 1
  %1 dword [eax]
  %1 qword [ebx+0x8]
  %1 st0, st1
  %1 st3, st0
%endmacro
  x87_arith fadd
  x87_arith fmul
  x87_arith fsub
  x87_arith fsubr
  x87_arith fdiv
  x87_arith fdivr
  fcom dword [eax]
  fcom qword [eax]
  fcom st2
  fcomp dword [ebx]
  fcomp qword [ebx]
  fcomp st5
  fcompp
  fucom st1
  fucomp st2
  fucompp
  fcomi st0, st3
  fcomip st0, st4
  fucomi st0, st5
  fucomip st0, st6
  faddp st1, st0
  fmulp st2, st0
  fsubp st3, st0
  fsubrp st4, st0
  fdivp st5, st0
  fdivrp st6, st0
  fiadd dword [eax]
  fiadd word [eax]
  fimul dword [ebx]
  fisub word [ecx]
  fisubr dword [edx]
  fidiv word [esi]
  fidivr dword [edi]
  ficom word [eax]
  ficomp dword [eax]
  fld dword [eax]
  fld qword [eax]
  fld tword [eax]
  fld st3
  fst dword [ebx]
  fst qword [ebx]
  fst st1
  fstp dword [ecx]
  fstp qword [ecx]
  fstp tword [ecx]
  fstp st2
  fild word [edx]
  fild dword [edx]
  fild qword [edx]
  fist word [esi]
  fist dword [esi]
  fistp word [edi]
  fistp dword [edi]
  fistp qword [edi]
  fisttp word [eax]
  fisttp dword [eax]
  fisttp qword [eax]
  fbld tword [eax]
  fbstp tword [ebx]
  fxch st1
  fxch st7
  fcmovb st0, st1
  fcmove st0, st2
  fcmovbe st0, st3
  fcmovu st0, st4
  fcmovnb st0, st5
  fcmovne st0, st6
  fcmovnbe st0, st7
  fcmovnu st0, st0
  ffree st4
  ffreep st5
  fldcw word [eax]
  fnstcw word [ebx]
  fstcw word [ecx]
  fnstsw word [edx]
  fstsw word [esi]
  fnstsw ax
  fstsw ax
  fldenv [eax]
  fnstenv [ebx]
  fstenv [ecx]
  frstor [edx]
  fnsave [esi]
  fsave [edi]
  fnclex
  fclex
  fninit
  finit
  fwait
  fnop
  fchs
  fabs
  ftst
  fxam
  fld1
  fldl2t
  fldl2e
  fldpi
  fldlg2
  fldln2
  fldz
  f2xm1
  fyl2x
  fptan
  fpatan
  fxtract
  fprem1
  fdecstp
  fincstp
  fprem
  fyl2xp1
  fsqrt
  fsincos
  frndint
  fscale
  fsin
  fcos
  fdisi
  feni
  fsetpm

; ---- MMX, SSE, SSE2 (decoded and printed, not executed by the CPU model) ----------------------
  emms
  movd mm0, eax
  movd dword [ebx], mm1
  movq mm2, qword [ecx]
  movq mm3, mm4
  paddb mm0, mm1
  pxor mm5, qword [eax]
  punpcklbw mm1, [ebx]
  psrlw mm2, 0x3
  psllq mm7, 0x1
  movaps xmm0, [eax]
  movups [ebx], xmm1
  movss xmm2, dword [ecx]
  movsd xmm3, qword [edx]
  movapd xmm4, xmm5
  movdqa xmm6, [esi]
  movdqu [edi], xmm7
  addps xmm0, xmm1
  mulsd xmm2, qword [eax]
  sqrtss xmm3, xmm4
  xorps xmm0, xmm0
  pxor xmm1, xmm1
  paddd xmm2, [ebx]
  pshufd xmm3, xmm4, 0x1b
  cmpltps xmm0, xmm1
  cmpps xmm0, xmm1, 0x9
  cvtsi2sd xmm0, eax
  cvttsd2si eax, xmm1
  cvtpi2ps xmm2, mm3
  ucomiss xmm0, dword [eax]
  movmskps eax, xmm1
  pmovmskb edx, xmm2
  pinsrw xmm0, eax, 0x3
  pextrw ecx, xmm1, 0x2
  shufps xmm0, xmm1, 0x44
  movnti dword [eax], ebx
  prefetchnta [eax]
  prefetcht0 [ebx]
  ldmxcsr [eax]
  stmxcsr [ebx]
  pshufb xmm0, xmm1
  palignr xmm2, xmm3, 0x4
  pblendvb xmm0, xmm1, xmm0
  pmovzxbw xmm0, qword [eax]
  pextrd eax, xmm1, 0x1
  pinsrb xmm2, byte [ebx], 0x7
  roundss xmm0, xmm1, 0x4
  pclmullqhqdq xmm0, xmm1
  aesenc xmm0, xmm1
  sha1rnds4 xmm0, xmm1, 0x2
