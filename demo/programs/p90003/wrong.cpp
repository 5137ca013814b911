// Fast but wrong: the closed form is computed in 32-bit ints and overflows for large n.
#include <cstdio>
int main() {
    int q;
    scanf("%d", &q);
    while (q--) {
        int n, k;
        scanf("%d %d", &n, &k);
        int m = n / k;
        printf("%d\n", k * m * (m + 1) / 2);
    }
}
