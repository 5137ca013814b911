// Inversions: merge sort, counting the elements of the left half that jump over each right one.
#include <cstdio>
#include <vector>
static long long sort_count(std::vector<int> &a, std::vector<int> &tmp, int lo, int hi) {
    if (hi - lo < 2) return 0;
    int mid = (lo + hi) / 2;
    long long count = sort_count(a, tmp, lo, mid) + sort_count(a, tmp, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (a[i] <= a[j]) tmp[k++] = a[i++];
        else { count += mid - i; tmp[k++] = a[j++]; }
    }
    while (i < mid) tmp[k++] = a[i++];
    while (j < hi) tmp[k++] = a[j++];
    for (k = lo; k < hi; k++) a[k] = tmp[k];
    return count;
}
int main() {
    int n;
    scanf("%d", &n);
    std::vector<int> a(n), tmp(n);
    for (auto &x : a) scanf("%d", &x);
    printf("%lld\n", sort_count(a, tmp, 0, n));
}
