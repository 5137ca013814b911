// Tries to create files outside its working directory; each path comes from stdin.
// Prints "safe" and exits 0 only when every attempt fails.
#include <cstdio>
#include <iostream>
#include <string>
int main() {
    std::string path;
    int written = 0;
    while (std::cin >> path) {
        FILE* f = std::fopen(path.c_str(), "w");
        if (f) { std::fputs("pwned\n", f); std::fclose(f); ++written; std::printf("wrote %s\n", path.c_str()); }
    }
    if (written) return 1;
    std::puts("safe");
    return 0;
}
