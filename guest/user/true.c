/* Does nothing, successfully: the child that forkwait creates. */
int main(void) { return 0; }
