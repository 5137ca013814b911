// Sum of Multiples: k + 2k + ... + mk = k * m * (m + 1) / 2 with m = n / k.  O(1) per query.
#include <cstdio>
int main() {
    int q;
    scanf("%d", &q);
    while (q--) {
        long long n, k;
        scanf("%lld %lld", &n, &k);
        long long m = n / k;
        printf("%lld\n", k * m * (m + 1) / 2);
    }
}
