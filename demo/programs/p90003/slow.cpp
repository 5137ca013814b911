// Sum of Multiples: for each query (n, k) add every i <= n divisible by k.  O(n) per query.
#include <cstdio>
int main() {
    int q;
    scanf("%d", &q);
    while (q--) {
        long long n, k;
        scanf("%lld %lld", &n, &k);
        long long sum = 0;
        for (long long i = 1; i <= n; i++)
            if (i % k == 0) sum += i;
        printf("%lld\n", sum);
    }
}
