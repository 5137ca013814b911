// Distinct Values: insert everything into a balanced tree (std::set).
#include <cstdio>
#include <set>
int main() {
    int n;
    scanf("%d", &n);
    std::set<long long> seen;
    for (int i = 0; i < n; i++) {
        long long x;
        scanf("%lld", &x);
        seen.insert(x);
    }
    printf("%zu\n", seen.size());
}
