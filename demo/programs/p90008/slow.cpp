// Membership: linear search through the list for every query, O(n) per query.
#include <algorithm>
#include <cstdio>
#include <vector>
int main() {
    int n, q;
    scanf("%d %d", &n, &q);
    std::vector<int> a(n);
    for (auto &x : a) scanf("%d", &x);
    while (q--) {
        int x;
        scanf("%d", &x);
        puts(std::find(a.begin(), a.end(), x) != a.end() ? "yes" : "no");
    }
}
