/**
 * Texts of the live view's extras (zh-CN, the source language): hypercall names in the timeline, the
 * diagram's marker for a sensitive instruction that did not trap, and the binary-translation cache chart.
 * Terms follow shared/reference/glossary-zh-en.md.
 */
export const liveExtrasZhCN = {
  timeline: {
    hypercallNamed: '超级调用 {{name}}（{{n}} 号）',
  },
  sensitive: {
    region: '未陷入的敏感指令',
    caption: '{{insn}} 在 Ring {{cpl}} 执行，没有陷入——监控器根本没看到它',
    popf: '客户机内核想关中断（IF = 0）；在 Ring {{cpl}} 中 CPU 让 IF 保持 1，也不报错，时钟中断照样到来。',
    table: '它读到真实的基址 {{value}}：监控器的影子表，而不是客户机自己加载的表。',
    register: '它读到真实的值 {{value}}，而不是客户机以为的值。',
    whyTitle: '为什么这很重要',
    why: 'Popek 与 Goldberg：只有当所有敏感指令都是特权指令（一执行就陷入）时，陷入与模拟才可行。x86 不满足这一条件。',
    others:
      'IRET、PUSHF 和段寄存器的读写也是敏感指令，也不会陷入；IRET 和段寄存器的读写在每次中断时都会出现，所以时间线列出全部，图上只标记想清除 IF 的 POPF 和暴露监控器表的指令（SGDT、SIDT、SLDT、STR、SMSW）。',
    dismiss: '关闭',
  },
  bt: {
    title: '二进制翻译缓存',
    note: '每一列是一段虚拟时间（对数刻度，越往右越长），按比例显示翻译、缓存命中、调用 VMM 和失效。缓存命中每 256 次上报一次。',
    series: {
      translations: '翻译的块',
      hits: '缓存命中',
      callouts: '调用 VMM',
      invalidations: '失效',
    },
    axis: '虚拟时间（对数刻度）',
    summary: '{{from}} 之前：{{early}} 是翻译；{{to}} 之后：{{late}} 是缓存命中。',
    none: '还没有二进制翻译事件。',
  },
}

export type LiveExtrasMessages = typeof liveExtrasZhCN
