// Strip Vowels: rebuild the answer with res = res + c, copying it for every character (O(n^2)).
#include <iostream>
#include <string>
using namespace std;
int main() {
    string s, res;
    cin >> s;
    for (char c : s)
        if (string("aeiou").find(c) == string::npos) res = res + c;
    cout << res << endl;
}
