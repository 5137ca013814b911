// Distinct Values: sort a flat array and count runs (cache-friendly, no allocation per element).
#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
    int n;
    scanf("%d", &n);
    std::vector<long long> a(n);
    for (auto &x : a) scanf("%lld", &x);
    std::sort(a.begin(), a.end());
    printf("%zu\n", (size_t)(std::unique(a.begin(), a.end()) - a.begin()));
}
