// Sleeps: uses no CPU, so only the wall-time limit stops it.
#include <unistd.h>
int main() { while (true) sleep(1000); }
