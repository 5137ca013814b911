// Double Them: print 2 * a[i] per line.  iostream synchronised with stdio, endl flushes every line.
#include <iostream>
using namespace std;
int main() {
    int n;
    cin >> n;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        cout << 2 * x << endl;
    }
}
