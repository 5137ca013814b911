// Fast but wrong: assumes values below 10^6 and folds larger ones into that range.
#include <cstdio>
#include <vector>
int main() {
    int n;
    scanf("%d", &n);
    std::vector<char> seen(1000000, 0);
    int distinct = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        scanf("%lld", &x);
        int slot = (int)(x % 1000000);
        if (!seen[slot]) {
            seen[slot] = 1;
            distinct++;
        }
    }
    printf("%d\n", distinct);
}
