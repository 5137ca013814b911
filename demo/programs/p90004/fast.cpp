// Double Them: scanf/printf, buffered output.
#include <cstdio>
int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    for (int i = 0; i < n; i++) {
        long long x;
        scanf("%lld", &x);
        printf("%lld\n", 2 * x);
    }
}
