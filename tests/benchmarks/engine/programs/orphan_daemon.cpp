// Leaves a detached grandchild sleeping forever and exits at once. The grandchild must not
// outlive the sandbox.
#include <cstdio>
#include <unistd.h>
int main() {
    if (fork() == 0) {
        setsid();
        if (fork() == 0) { while (true) sleep(1000); }
        _exit(0);
    }
    std::puts("safe");
    return 0;
}
