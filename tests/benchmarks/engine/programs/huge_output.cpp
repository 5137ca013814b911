// Writes to stdout without end: output limit.
#include <cstdio>
int main() { while (true) std::fputs("spam spam spam spam spam spam spam spam spam spam\n", stdout); }
