// Writes through a null pointer: killed by SIGSEGV.
int main() { volatile int* p = nullptr; *p = 42; return 0; }
