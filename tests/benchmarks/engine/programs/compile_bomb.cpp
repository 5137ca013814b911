// Template recursion with two distinct instantiations per level: 2^40 types. The compiler
// never finishes; the compile-time limit must stop it (CE).
template <int N, unsigned long long M>
struct Bomb {
    static constexpr unsigned long long value = Bomb<N - 1, 2 * M>::value + Bomb<N - 1, 2 * M + 1>::value;
};
template <unsigned long long M>
struct Bomb<0, M> {
    static constexpr unsigned long long value = M;
};
int main() { return static_cast<int>(Bomb<40, 1>::value & 1); }
