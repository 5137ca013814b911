// Spins forever: CPU-time limit.
int main() { volatile unsigned long x = 0; while (true) x++; }
