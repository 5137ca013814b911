// Pair Sum: sort once, then binary-search the complement in the suffix, O(n log n).
#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
    int n;
    long long k;
    if (scanf("%d %lld", &n, &k) != 2) return 0;
    std::vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    long long count = 0;
    for (int i = 0; i < n; i++) {
        auto range = std::equal_range(a.begin() + i + 1, a.end(), k - a[i]);
        count += range.second - range.first;
    }
    printf("%lld\n", count);
}
