// Staircase: ways to climb n steps taking 1, 2 or 3 at a time.  Plain recursion, exponential.
#include <iostream>
using namespace std;
long long ways(int n) {
    if (n < 0) return 0;
    if (n == 0) return 1;
    return ways(n - 1) + ways(n - 2) + ways(n - 3);
}
int main() {
    int q;
    cin >> q;
    while (q--) {
        int n;
        cin >> n;
        cout << ways(n) << "\n";
    }
}
