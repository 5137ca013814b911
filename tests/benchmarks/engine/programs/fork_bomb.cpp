// Forks without end; the process limit stops the growth, the time limit ends it.
#include <unistd.h>
int main() { while (true) fork(); }
