// Dumps everything it can read of the host's secrets: the files named on stdin (the project's
// settings, its secret key), its environment and that of other processes. The test asserts
// that the secret value never appears in what it prints.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
static void dump(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return;
    std::stringstream ss;
    ss << in.rdbuf();
    std::cout << "== " << path << "\n" << ss.str() << "\n";
}
int main(int, char**, char** envp) {
    std::string path;
    while (std::cin >> path) dump(path);
    for (const char* p : {"/proc/1/environ", "/proc/self/environ", "/proc/2/environ", "/etc/passwd"}) dump(p);
    for (char** e = envp; *e; ++e) std::cout << "env " << *e << "\n";
    if (const char* s = std::getenv("SECRET_KEY")) std::cout << "SECRET_KEY=" << s << "\n";
    std::cout << "safe\n";
    return 0;
}
