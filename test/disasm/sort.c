/* Sorting and searching: loops, comparisons, conditional moves, indexed addressing. */
#include <stddef.h>
#include <stdint.h>

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(unsigned char *a, unsigned char *b, size_t n) {
  while (n--) {
    unsigned char t = *a;
    *a++ = *b;
    *b++ = t;
  }
}

void insertion_sort(int *v, size_t n) {
  for (size_t i = 1; i < n; i++) {
    int x = v[i];
    size_t j = i;
    while (j > 0 && v[j - 1] > x) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
}

void shell_sort_u16(uint16_t *v, int n) {
  for (int gap = n / 2; gap > 0; gap /= 2)
    for (int i = gap; i < n; i++) {
      uint16_t t = v[i];
      int j = i;
      for (; j >= gap && v[j - gap] > t; j -= gap) v[j] = v[j - gap];
      v[j] = t;
    }
}

void generic_qsort(void *base, size_t n, size_t size, cmp_fn cmp) {
  unsigned char *b = base;
  if (n < 2) return;
  unsigned char *pivot = b + (n / 2) * size;
  size_t i = 0, j = n - 1;
  for (;;) {
    while (cmp(b + i * size, pivot) < 0) i++;
    while (cmp(b + j * size, pivot) > 0) j--;
    if (i >= j) break;
    swap_bytes(b + i * size, b + j * size, size);
    if (pivot == b + i * size) pivot = b + j * size;
    else if (pivot == b + j * size) pivot = b + i * size;
    i++;
    j--;
  }
  generic_qsort(b, j + 1, size, cmp);
  generic_qsort(b + (j + 1) * size, n - j - 1, size, cmp);
}

int binary_search(const int *v, int n, int key) {
  int lo = 0, hi = n - 1;
  while (lo <= hi) {
    int mid = lo + ((hi - lo) >> 1);
    if (v[mid] == key) return mid;
    if (v[mid] < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

int min_max_sum(const signed char *v, int n, int *min, int *max) {
  int lo = 127, hi = -128, sum = 0;
  for (int i = 0; i < n; i++) {
    lo = v[i] < lo ? v[i] : lo;
    hi = v[i] > hi ? v[i] : hi;
    sum += v[i];
  }
  *min = lo;
  *max = hi;
  return sum;
}

void merge(const int *a, int na, const int *b, int nb, int *out) {
  int i = 0, j = 0, k = 0;
  while (i < na && j < nb) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < na) out[k++] = a[i++];
  while (j < nb) out[k++] = b[j++];
}
