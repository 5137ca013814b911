// Staircase: one bottom-up DP table shared by every query, O(max n + q).
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int q;
    cin >> q;
    vector<int> queries(q);
    int top = 0;
    for (auto &n : queries) {
        cin >> n;
        top = max(top, n);
    }
    vector<long long> ways(top + 1, 0);
    ways[0] = 1;
    for (int i = 1; i <= top; i++)
        ways[i] = ways[i - 1] + (i >= 2 ? ways[i - 2] : 0) + (i >= 3 ? ways[i - 3] : 0);
    for (int n : queries) cout << ways[n] << "\n";
}
