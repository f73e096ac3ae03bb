"""A fixed CPython workload for `temper bench`: interpreter-bound loops of the kinds
pyperformance measures (calls, attribute access, dicts, strings, floats, generators).
Deterministic: no timing or randomness inside, so callgrind counts repeat."""


class Body:
    __slots__ = ("x", "y", "vx", "vy", "mass")

    def __init__(self, x, y, vx, vy, mass):
        self.x, self.y, self.vx, self.vy, self.mass = x, y, vx, vy, mass


def nbody(steps):
    bodies = [Body(i * 1.5, i * -0.5, 0.01 * i, 0.02, 1.0 + i) for i in range(5)]
    for _ in range(steps):
        for i, a in enumerate(bodies):
            for b in bodies[i + 1:]:
                dx, dy = a.x - b.x, a.y - b.y
                d = (dx * dx + dy * dy + 0.01) ** 1.5
                a.vx -= dx * b.mass / d
                a.vy -= dy * b.mass / d
                b.vx += dx * a.mass / d
                b.vy += dy * a.mass / d
        for body in bodies:
            body.x += 0.01 * body.vx
            body.y += 0.01 * body.vy
    return round(sum(b.x + b.y for b in bodies), 6)


def words(rounds):
    text = " ".join("w%d" % (i % 997) for i in range(5000))
    counts = {}
    for _ in range(rounds):
        for word in text.split():
            counts[word] = counts.get(word, 0) + 1
    return sum(len(k) * v for k, v in counts.items())


def fib_gen(n):
    a, b = 0, 1
    for _ in range(n):
        yield a
        a, b = b, a + b


def calls(n):
    def add(x, y=1):
        return x + y
    total = 0
    for i in range(n):
        total = add(total, i & 7)
    return total + sum(x % 1000 for x in fib_gen(2000))


if __name__ == "__main__":
    print(nbody(20000), words(150), calls(2000000))
