#ifndef RINGOS_PIT_H
#define RINGOS_PIT_H
void pit_start(unsigned hz);
#endif
