/**
 * The prompt of the management shell, by the shell's first tool: where that tool is typed on the real
 * system (a root shell on the KVM host or in Dom0, the ESXi shell, PowerShell on the Hyper-V host).
 * Cosmetic: the commands are the same whatever the prompt.
 */
const PROMPTS: Readonly<Record<string, string>> = {
  virsh: '[root@host ~]# ',
  xl: '[root@dom0 ~]# ',
  'vim-cmd': '[root@esxi:~] ',
  esxcli: '[root@esxi:~] ',
  'Get-VM': 'PS C:\\> ',
}

export function managementPrompt(tools: readonly string[] | null): string {
  return (tools !== null && tools.length > 0 ? PROMPTS[tools[0]] : undefined) ?? '# '
}
