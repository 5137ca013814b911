// Range Sums: answer each query l..r by summing the range again, O(n) per query.
#include <cstdio>
#include <vector>
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    std::vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    while (q--) {
        int l, r;
        scanf("%d %d", &l, &r);
        long long sum = 0;
        for (int i = l - 1; i < r; i++) sum += a[i];
        printf("%lld\n", sum);
    }
}
