// Inversions: count pairs i < j with a[i] > a[j] by checking every pair, O(n^2).
#include <cstdio>
#include <vector>
int main() {
    int n;
    scanf("%d", &n);
    std::vector<int> a(n);
    for (auto &x : a) scanf("%d", &x);
    long long inversions = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (a[i] > a[j]) inversions++;
    printf("%lld\n", inversions);
}
