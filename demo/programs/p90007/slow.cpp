// Most Frequent: count with std::map, then scan it.
#include <cstdio>
#include <map>
int main() {
    int n;
    scanf("%d", &n);
    std::map<int, int> count;
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        count[x]++;
    }
    int best = -1, best_count = 0;
    for (auto &[value, c] : count)
        if (c > best_count) best = value, best_count = c;
    printf("%d %d\n", best, best_count);
}
