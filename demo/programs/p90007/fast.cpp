// Most Frequent: values are below 10^6, so count in a plain array.
#include <cstdio>
#include <vector>
int main() {
    int n;
    scanf("%d", &n);
    std::vector<int> count(1000000, 0);
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        count[x]++;
    }
    int best = -1, best_count = 0;
    for (int value = 0; value < 1000000; value++)
        if (count[value] > best_count) best = value, best_count = count[value];
    printf("%d %d\n", best, best_count);
}
