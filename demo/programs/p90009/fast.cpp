// Strip Vowels: append in place into a reserved string (amortised O(1) per character).
#include <iostream>
#include <string>
using namespace std;
int main() {
    string s, res;
    cin >> s;
    res.reserve(s.size());
    for (char c : s)
        if (c != 'a' && c != 'e' && c != 'i' && c != 'o' && c != 'u') res += c;
    cout << res << '\n';
}
