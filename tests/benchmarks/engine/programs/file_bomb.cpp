// Fills a file in its working directory: file-size limit (RLIMIT_FSIZE -> SIGXFSZ).
#include <cstdio>
#include <cstring>
int main() {
    static char block[1 << 20];
    std::memset(block, 'x', sizeof block);
    FILE* f = std::fopen("big.bin", "wb");
    if (!f) return 5;
    while (true) std::fwrite(block, 1, sizeof block, f), std::fflush(f);
}
