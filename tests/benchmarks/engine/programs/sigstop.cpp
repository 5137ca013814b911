// Stops itself with SIGSTOP: never runs again, so only the wall-time limit ends it.
#include <csignal>
int main() { std::raise(SIGSTOP); return 0; }
