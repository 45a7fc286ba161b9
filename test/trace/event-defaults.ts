import { NO_COMPONENT, type TraceEvent } from '../../src/engine/trace/schema'

/** Every field of a trace event but its kind, sequence number and cycle, as tests mostly leave them: VM 1, no components. */
export const EVENT_DEFAULTS: Omit<TraceEvent, 'kind' | 'seq' | 'cycle'> = {
  pcpu: 0,
  vm: 1,
  vcpu: 0,
  reason: 0,
  fromCtx: 0,
  toCtx: 0,
  from: NO_COMPONENT,
  to: NO_COMPONENT,
  cost: 0,
  arg0: 0,
  arg1: 0,
  flow: 0,
  arg2: 0,
}
