// Membership: hash set, O(1) expected per query.
#include <cstdio>
#include <unordered_set>
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    std::unordered_set<int> present;
    present.reserve(2 * n);
    for (int i = 0; i < n; i++) {
        int x;
        scanf("%d", &x);
        present.insert(x);
    }
    while (q--) {
        int x;
        scanf("%d", &x);
        puts(present.count(x) ? "yes" : "no");
    }
}
