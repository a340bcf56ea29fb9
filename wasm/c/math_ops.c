/*
 * math_ops: small integer functions used to check a deployment end to end.
 *
 *   add(a, b)      -> a + b
 *   sum_to_n(n)    -> 1 + 2 + ... + n (0 for n <= 0), wrapping like a 32-bit int
 *   app_main(n)    -> sum_to_n(n); what START runs when no func is given
 */

#define EXPORT(name) __attribute__((export_name(name)))

EXPORT("add")
int add(int a, int b)
{
	return a + b;
}

EXPORT("sum_to_n")
int sum_to_n(int n)
{
	unsigned int sum = 0;

	for (int i = 1; i <= n; i++) {
		sum += (unsigned int)i;
	}
	return (int)sum;
}

EXPORT("app_main")
int app_main(int n)
{
	return sum_to_n(n);
}
