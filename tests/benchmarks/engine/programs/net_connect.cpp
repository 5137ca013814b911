// Tries the host's PostgreSQL and Redis on loopback and a public address. Prints "safe" and
// exits 0 only when every attempt fails; a working connection exits 1.
#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
static bool reach(const char* ip, int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    return ok;
}
int main() {
    bool any = reach("127.0.0.1", 5432) || reach("127.0.0.1", 6379) || reach("1.1.1.1", 80) || reach("10.0.0.1", 80);
    if (any) { std::puts("connected"); return 1; }
    std::puts("safe");
    return 0;
}
