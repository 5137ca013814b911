// Exits with code 3: a runtime error that reports the exit code.
int main() { return 3; }
