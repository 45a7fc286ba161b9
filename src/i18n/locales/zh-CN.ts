/**
 * Source language. Terms follow the Chinese virtualization-course glossary
 * (../shared/reference/glossary-zh-en.md): 特权级, 虚拟机退出（VM Exit）, 超级调用（Hypercall）, 根模式/非根模式 ….
 */
export const zhCN = {
  app: {
    name: 'Ringside',
    tagline: '虚拟化架构可视化',
    title: 'Ringside — 虚拟化架构可视化',
    skipToMain: '跳到主要内容',
  },
  toolbar: {
    label: '应用设置',
    language: '语言',
    theme: '主题',
  },
  theme: {
    light: '浅色',
    dark: '深色',
    projector: '投影（高对比度）',
  },
  actions: {
    aboutOpen: '关于 Ringside',
    languageToggle: '切换界面语言',
    languageZh: '界面语言：中文',
    languageEn: '界面语言：英文',
    themeCycle: '切换到下一个主题',
    themeLight: '浅色主题',
    themeDark: '深色主题',
    themeProjector: '投影主题（高对比度）',
    layoutReset: '恢复默认面板大小',
    focusDiagram: '转到架构图',
    focusConsoles: '转到控制台',
    focusInspector: '转到检查器',
    focusTimeline: '转到时间线',
    engineRestart: '重启引擎',
    enginePing: '测试与引擎的往返',
  },
  panels: {
    diagram: {
      title: '架构图',
      empty:
        '这里将显示所选架构的分层图：每一行是一个特权级（Ring 3、Ring 0、根模式 Ring -1，以及客户机所在的非根模式），每一列是一个域（宿主机、虚拟机、Dom0 ……），最下面一行是硬件。每一次虚拟机退出（VM Exit）、超级调用（Hypercall）和中断都会以令牌的形式在组件之间逐跳移动，并标出退出原因和开销。',
    },
    consoles: {
      title: '控制台',
      empty:
        '这里将显示每台虚拟机的控制台，以及该架构的管理工具 shell（xl、virsh、vim-cmd、PowerShell），管理命令也会在架构图上演示。',
    },
    inspector: {
      title: '检查器',
      empty:
        '这里将显示寄存器、当前特权级与 VMX 模式、正在执行的指令、最近一次虚拟机退出的 VMCS 字段和退出原因，以及页表（客户机页表与 EPT 的两级地址转换）。',
    },
    timeline: {
      title: '时间线',
      empty:
        '这里将按物理 CPU 和 vCPU 显示事件时间线，按特权级着色，可以缩放、平移，点击事件即可在检查器中查看。',
    },
  },
  layout: {
    resizeInspector: '调整检查器宽度',
    resizeBottom: '调整控制台与时间线的高度',
    resizeConsoles: '调整控制台宽度',
  },
  engine: {
    status: {
      idle: '引擎未启动',
      connecting: '引擎正在启动……',
      ready: '引擎就绪',
      failed: '引擎已停止',
      disposed: '引擎已关闭',
    },
    version: '引擎 {{version}}',
    isolated: '跨源隔离',
    notIsolated: '未跨源隔离',
    transport: {
      ring: 'SharedArrayBuffer 环形缓冲区',
      transfer: '可转移缓冲区',
      direct: '进程内',
    },
    error: {
      crashed: '引擎已停止运行：{{message}}',
      command: '引擎执行命令“{{command}}”时出错：{{message}}',
      other: '引擎出错：{{message}}',
      keepsSettings: '重启引擎不会丢失你的设置。',
      dismiss: '关闭提示',
      details: '技术细节',
    },
  },
  events: {
    label: '事件流',
    received: '事件 {{count}}',
    rate: '{{rate}} 个/秒',
    dropped: '丢弃 {{count}}',
  },
  about: {
    title: '关于 Ringside',
    close: '关闭',
    what: 'Ringside 在浏览器中运行真实的 x86 客户机代码，并实时显示每一次陷入、虚拟机退出（VM Exit）、超级调用（Hypercall）和中断的去向：CPU 处于哪个特权级，由哪个组件、哪个虚拟机监控器（Hypervisor）处理，花费多少个周期。',
    architectures:
      '你可以在同一个工作负载上比较不同的架构：裸机、KVM + QEMU、Xen（HVM 与半虚拟化）、ESXi、Hyper-V、VMware 二进制翻译、经典的陷入与模拟、寄宿虚拟化和容器。',
    audience: '它面向学习操作系统与虚拟化课程的学生，也适合教师在课堂上投影演示。',
    local:
      '一切都在你的浏览器中本地运行，不上传任何数据。显示的时间是虚拟时间（CPU 周期）：同样的输入总是得到同样的结果。',
    shortcuts: '键盘快捷键',
    shortcutAction: '操作',
    shortcutKeys: '按键',
    diagnostics: '引擎诊断',
    engineVersion: '引擎版本',
    protocol: '协议版本',
    isolation: '跨源隔离',
    transport: '事件传输',
    yes: '是',
    no: '否',
    pingResult: '往返 {{ms}} 毫秒',
    synthCount: '合成事件数',
    synthPace: '节奏',
    paceLossless: '不丢弃（等待主线程）',
    paceFlatOut: '全速（跟不上时丢弃）',
    synthRun: '生成事件',
    synthRunning: '正在生成……',
    synthResult: '收到 {{received}} 个事件，丢弃 {{dropped}} 个，用时 {{ms}} 毫秒，每秒 {{rate}} 个。',
    faultTitle: '故障演练',
    faultThrow: '让命令抛出异常',
    faultCrash: '让引擎线程崩溃',
  },
} as const
