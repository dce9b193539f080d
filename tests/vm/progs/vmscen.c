// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vmscen: drives real dma-fence activity in the VM guest.
 *
 *   vmscen wait DELAY_MS   a thread blocks in DMA_BUF_IOCTL_SYNC on a udmabuf
 *                          whose reservation holds a sw_sync fence; the main
 *                          thread signals it after DELAY_MS
 *   vmscen merge           poll() a sync_file merged from two timelines
 *                          (a dma_fence_array), then signal both
 *   vmscen dmabuf          a system-heap dma-buf mmapped, imported into vgem
 *                          and released
 *   vmscen revoke          the iommufd selftest exporter's buffer imported
 *                          into an IOAS, revoked and un-revoked (7.x)
 *   vmscen cost N          N udmabuf lives with a signalled sw_sync fence
 *                          each; reports the run time the kernel accounted
 *                          to deptscope's dma-buf and fence programs
 *                          (kernel.bpf_stats_enabled) over those N
 *   vmscen vfio            QEMU's edu device bound to vfio-pci in no-IOMMU
 *                          mode: a BAR0 dma-buf imported into an IOAS,
 *                          revoked and restored through PCI_COMMAND, then
 *                          revoked by closing the device (7.x)
 *
 * Prints one JSON line of facts the host checks deptscope's output against.
 * The sw_sync timeline is named after the opener's comm: "vmscen".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <dirent.h>
#include <linux/bpf.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

/* sw_sync's debugfs ABI (drivers/dma-buf/sw_sync.c); not in the uapi headers */
struct sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};

#define SW_SYNC_IOC_CREATE_FENCE	_IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC			_IOW('W', 1, __u32)
#define SW_SYNC_PATH			"/sys/kernel/debug/sync/sw_sync"

/* The two DRM ioctls used (include/uapi/drm/drm.h), not in Debian's libc headers */
struct drm_prime_handle {
	__u32 handle;
	__u32 flags;
	__s32 fd;
};

struct drm_gem_close {
	__u32 handle;
	__u32 pad;
};

#define DRM_IOCTL_GEM_CLOSE		_IOW('d', 0x09, struct drm_gem_close)
#define DRM_IOCTL_PRIME_FD_TO_HANDLE	_IOWR('d', 0x2e, struct drm_prime_handle)

/* iommufd uAPI of 7.x (include/uapi/linux/iommufd.h): newer than Debian 12's headers */
struct iommufd_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

struct iommufd_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__u64 start;
	__u64 length;
	__u64 iova;
};

#define IOMMU_IOAS_ALLOC		_IO(';', 0x81)
#define IOMMU_IOAS_MAP_FILE		_IO(';', 0x8f)
#define IOMMU_IOAS_MAP_WRITEABLE	(1 << 1)
#define IOMMU_IOAS_MAP_READABLE		(1 << 2)

/*
 * The iommufd selftest command (CONFIG_IOMMUFD_TEST; layout of 7.3's
 * drivers/iommu/iommufd/iommufd_test.h): 72 bytes, the op's arguments at 16.
 */
struct iommufd_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 reserved;
	union {
		struct {
			__u32 length;
			__u32 open_flags;
		} dmabuf_get;
		struct {
			__s32 dmabuf_fd;
			__u32 revoked;
		} dmabuf_revoke;
		__u8 args[48];
	};
	__u32 last;
	__u32 pad;
};

#define IOMMU_TEST_CMD			_IO(';', 0x80 + 32)
#define IOMMU_TEST_OP_DMABUF_GET	22
#define IOMMU_TEST_OP_DMABUF_REVOKE	23

static void die(const char *what)
{
	fprintf(stderr, "vmscen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int timeline_fence(int tl, __u32 value)
{
	struct sw_sync_create_fence_data d = { .value = value };

	snprintf(d.name, sizeof(d.name), "vmscen-%u", value);
	if (ioctl(tl, SW_SYNC_IOC_CREATE_FENCE, &d))
		die("SW_SYNC_IOC_CREATE_FENCE");
	return d.fence;
}

static int udmabuf_new(void)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	long page = sysconf(_SC_PAGESIZE);
	int memfd, dev, buf;

	memfd = memfd_create("vmscen", MFD_ALLOW_SEALING);
	if (memfd < 0)
		die("memfd_create");
	if (ftruncate(memfd, page))
		die("ftruncate");
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK))
		die("F_SEAL_SHRINK");
	dev = open("/dev/udmabuf", O_RDWR);
	if (dev < 0)
		die("/dev/udmabuf");
	c.memfd = memfd;
	c.size = page;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	if (buf < 0)
		die("UDMABUF_CREATE");
	close(dev);
	close(memfd);
	return buf;
}

struct waiter {
	int buf;
	pid_t tid;
	uint64_t t0, t1;
	int err;
};

static void *wait_thread(void *arg)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
	struct waiter *w = arg;

	w->tid = syscall(SYS_gettid);
	w->t0 = now_ns();
	/* begin_cpu_access waits for every fence in the reservation */
	if (ioctl(w->buf, DMA_BUF_IOCTL_SYNC, &s))
		w->err = errno;
	w->t1 = now_ns();
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	ioctl(w->buf, DMA_BUF_IOCTL_SYNC, &s);
	return NULL;
}

static int scen_wait(unsigned int delay_ms)
{
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	struct waiter w = { 0 };
	struct stat st;
	pthread_t th;
	__u32 one = 1;
	int tl, fence;

	tl = open(SW_SYNC_PATH, O_RDWR);
	if (tl < 0)
		die(SW_SYNC_PATH);
	fence = timeline_fence(tl, 1);
	w.buf = udmabuf_new();
	if (fstat(w.buf, &st))
		die("fstat");
	imp.fd = fence;
	if (ioctl(w.buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp))
		die("DMA_BUF_IOCTL_IMPORT_SYNC_FILE");
	close(fence);
	if (pthread_create(&th, NULL, wait_thread, &w))
		die("pthread_create");
	usleep(delay_ms * 1000);
	if (ioctl(tl, SW_SYNC_IOC_INC, &one))
		die("SW_SYNC_IOC_INC");
	pthread_join(th, NULL);
	if (w.err) {
		errno = w.err;
		die("DMA_BUF_IOCTL_SYNC");
	}
	close(w.buf);
	close(tl);
	printf("{\"scenario\":\"wait\",\"pid\":%d,\"waiter_tid\":%d,\"delay_ms\":%u,"
	       "\"measured_ns\":%llu,\"buf_ino\":%llu}\n", getpid(), w.tid, delay_ms,
	       (unsigned long long)(w.t1 - w.t0), (unsigned long long)st.st_ino);
	return 0;
}

static int scen_merge(void)
{
	struct sync_merge_data m = { .name = "vmscen-merged" };
	struct pollfd p = { .events = POLLIN };
	int tl1, tl2, f1, f2, before, after;
	__u32 one = 1;

	tl1 = open(SW_SYNC_PATH, O_RDWR);
	tl2 = open(SW_SYNC_PATH, O_RDWR);
	if (tl1 < 0 || tl2 < 0)
		die(SW_SYNC_PATH);
	f1 = timeline_fence(tl1, 1);
	f2 = timeline_fence(tl2, 1);
	m.fd2 = f2;
	if (ioctl(f1, SYNC_IOC_MERGE, &m))
		die("SYNC_IOC_MERGE");
	p.fd = m.fence;
	/* poll() adds a callback: enable_signaling on the dma_fence_array */
	before = poll(&p, 1, 50);
	if (ioctl(tl1, SW_SYNC_IOC_INC, &one) || ioctl(tl2, SW_SYNC_IOC_INC, &one))
		die("SW_SYNC_IOC_INC");
	after = poll(&p, 1, 1000);
	close(m.fence);
	close(f1);
	close(f2);
	close(tl1);
	close(tl2);
	printf("{\"scenario\":\"merge\",\"pid\":%d,\"ready_before\":%d,\"ready_after\":%d}\n",
	       getpid(), before, after);
	return 0;
}

/*
 * A dma-buf's whole life with upstream events only: system-heap export and
 * fd, mmap, PRIME import into vgem (get, attach, put), GEM close (detach,
 * put), then close and munmap (which the kernel does not trace).
 */
static int scen_dmabuf(void)
{
	struct dma_heap_allocation_data a = {
		.len = 4 * 4096,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	struct drm_prime_handle ph = { 0 };
	struct drm_gem_close gc = { 0 };
	struct stat st;
	int heap, card;
	void *map;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	if (heap < 0)
		die("/dev/dma_heap/system");
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a))
		die("DMA_HEAP_IOCTL_ALLOC");
	if (fstat(a.fd, &st))
		die("fstat");
	map = mmap(NULL, a.len, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	if (map == MAP_FAILED)
		die("mmap");
	memset(map, 0x5a, a.len);
	card = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (card < 0)
		die("/dev/dri/card0 (vgem)");
	ph.fd = a.fd;
	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		die("DRM_IOCTL_PRIME_FD_TO_HANDLE");
	gc.handle = ph.handle;
	if (ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc))
		die("DRM_IOCTL_GEM_CLOSE");
	close(card);
	munmap(map, a.len);
	close(a.fd);
	close(heap);
	printf("{\"scenario\":\"dmabuf\",\"pid\":%d,\"ino\":%llu,\"size\":%llu}\n", getpid(),
	       (unsigned long long)st.st_ino, (unsigned long long)a.len);
	return 0;
}

/* dma-buf files are named "/dmabuf:<name>" (dmabuffs_dname()) */
static int find_dmabuf_fd(void)
{
	char path[64], target[128];
	ssize_t n;
	int fd;

	for (fd = 3; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (!strncmp(target, "/dmabuf:", 8))
			return fd;
	}
	return -1;
}

/* A new IOAS with @len bytes of @buf mapped: iommufd imports the dma-buf. */
static void ioas_import(int iommufd, int buf, __u64 len, struct iommufd_ioas_map_file *map)
{
	struct iommufd_ioas_alloc ioas = { .size = sizeof(ioas) };

	if (ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas))
		die("IOMMU_IOAS_ALLOC");
	memset(map, 0, sizeof(*map));
	map->size = sizeof(*map);
	map->flags = IOMMU_IOAS_MAP_WRITEABLE | IOMMU_IOAS_MAP_READABLE;
	map->ioas_id = ioas.out_ioas_id;
	map->fd = buf;
	map->length = len;
	if (ioctl(iommufd, IOMMU_IOAS_MAP_FILE, map))
		die("IOMMU_IOAS_MAP_FILE");
}

static void test_revoke(int iommufd, int buf, int revoked)
{
	struct iommufd_test_cmd c = {
		.size = sizeof(c),
		.op = IOMMU_TEST_OP_DMABUF_REVOKE,
		.dmabuf_revoke = { .dmabuf_fd = buf, .revoked = revoked },
	};

	if (ioctl(iommufd, IOMMU_TEST_CMD, &c))
		die("IOMMU_TEST_OP_DMABUF_REVOKE");
}

/*
 * Revocation without hardware: the iommufd selftest exporter makes a
 * dma-buf, iommufd imports it into an IOAS (IOMMU_IOAS_MAP_FILE, a dynamic
 * attachment with an invalidate_mappings op), then the exporter revokes
 * and un-revokes it, each time through dma_buf_invalidate_mappings().
 * Closing the iommufd drops the import, closing the fd the buffer.
 */
static int scen_revoke(void)
{
	struct iommufd_test_cmd get = {
		.size = sizeof(get),
		.op = IOMMU_TEST_OP_DMABUF_GET,
		.dmabuf_get = { .length = 4 * 4096, .open_flags = O_CLOEXEC },
	};
	struct iommufd_ioas_map_file map;
	int iommufd, buf, get_ret, remap_err = 0;
	struct stat st;

	_Static_assert(sizeof(struct iommufd_test_cmd) == 72, "iommu_test_cmd");
	_Static_assert(sizeof(struct iommufd_ioas_map_file) == 40, "iommu_ioas_map_file");
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		die("/dev/iommu");
	get_ret = ioctl(iommufd, IOMMU_TEST_CMD, &get);
	if (get_ret < 0)
		die("IOMMU_TEST_OP_DMABUF_GET");
	/*
	 * 7.3's iommufd_test_dmabuf_get() installs the fd but returns 0, so
	 * the fd is found by its name, as the kernel's selftest cannot.
	 */
	buf = get_ret ? get_ret : find_dmabuf_fd();
	if (buf < 0)
		die("no dma-buf fd after IOMMU_TEST_OP_DMABUF_GET");
	if (fstat(buf, &st))
		die("fstat");
	ioas_import(iommufd, buf, 4 * 4096, &map);
	test_revoke(iommufd, buf, 1);
	/* a revoked buffer cannot be imported again */
	map.iova = 0;
	if (ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &map))
		remap_err = errno;
	test_revoke(iommufd, buf, 0);
	close(iommufd);
	close(buf);
	printf("{\"scenario\":\"revoke\",\"pid\":%d,\"ino\":%llu,\"size\":%u,"
	       "\"remap_while_revoked_errno\":%d,\"get_returned\":%d}\n", getpid(),
	       (unsigned long long)st.st_ino, 4 * 4096, remap_err, get_ret);
	return 0;
}

/*
 * vfio uAPI of 7.x (include/uapi/linux/vfio.h) that Debian 12's headers
 * lack: the device cdev's iommufd bind and the dma-buf export feature.
 */
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__u64 token_uuid_ptr;
};

struct vfio_device_feature {
	__u32 argsz;
	__u32 flags;
};

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[1];
};

struct vfio_region_info {
	__u32 argsz;
	__u32 flags;
	__u32 index;
	__u32 cap_offset;
	__u64 size;
	__u64 offset;
};

#define VFIO_TYPE_			(';')
#define VFIO_BASE_			100
#define VFIO_DEVICE_GET_REGION_INFO_	_IO(VFIO_TYPE_, VFIO_BASE_ + 8)
#define VFIO_DEVICE_FEATURE_		_IO(VFIO_TYPE_, VFIO_BASE_ + 17)
#define VFIO_DEVICE_BIND_IOMMUFD_	_IO(VFIO_TYPE_, VFIO_BASE_ + 18)
#define VFIO_DEVICE_FEATURE_GET_	(1 << 16)
#define VFIO_DEVICE_FEATURE_DMA_BUF_	11
#define VFIO_PCI_CONFIG_REGION_INDEX_	7
#define PCI_COMMAND_			0x04
#define PCI_COMMAND_MEMORY_		0x2
#define EDU_VENDOR			0x1234
#define EDU_DEVICE			0x11e8

static unsigned long read_hex(const char *dir, const char *file)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 16);
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(path);
	close(fd);
}

/* PCI_COMMAND through the config region, as a VMM would write it */
static __u16 cmd_read(int dev, __u64 cfg)
{
	__u16 cmd;

	if (pread(dev, &cmd, sizeof(cmd), cfg + PCI_COMMAND_) != sizeof(cmd))
		die("read PCI_COMMAND");
	return cmd;
}

static void cmd_write(int dev, __u64 cfg, __u16 cmd)
{
	if (pwrite(dev, &cmd, sizeof(cmd), cfg + PCI_COMMAND_) != sizeof(cmd))
		die("write PCI_COMMAND");
}

/*
 * vfio-pci revocation on an emulated device: edu's BAR0 (1 MiB of MMIO)
 * exported as a dma-buf, imported into an IOAS (iommufd attaches with
 * peer2peer and an invalidate_mappings op), revoked by clearing the
 * memory enable bit, restored by setting it, and revoked for good by
 * closing the device.  No-IOMMU mode: nothing on the export path needs
 * an IOMMU.
 */
static int scen_vfio(void)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf db;
	} feat = {
		.hdr = { .argsz = sizeof(feat),
			 .flags = VFIO_DEVICE_FEATURE_GET_ | VFIO_DEVICE_FEATURE_DMA_BUF_ },
		.db = { .region_index = 0, .open_flags = O_CLOEXEC | O_RDWR, .nr_ranges = 1,
			.dma_ranges = { { .offset = 0, .length = 4096 } } },
	};
	struct vfio_region_info cfg = { .argsz = sizeof(cfg),
					.index = VFIO_PCI_CONFIG_REGION_INDEX_ };
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommufd_ioas_map_file map;
	char dir[600] = "", path[600], bdf[256] = "", cdev[256] = "";
	int iommufd, dev, buf, remap_err = 0;
	struct dirent *d;
	struct stat st;
	__u16 cmd;
	DIR *dp;

	_Static_assert(sizeof(struct vfio_device_bind_iommufd) == 24, "bind_iommufd");
	_Static_assert(sizeof(feat) == 40, "feature_dma_buf");
	dp = opendir("/sys/bus/pci/devices");
	if (!dp)
		die("/sys/bus/pci/devices");
	while ((d = readdir(dp))) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->d_name);
		if (read_hex(path, "vendor") == EDU_VENDOR &&
		    read_hex(path, "device") == EDU_DEVICE) {
			snprintf(bdf, sizeof(bdf), "%s", d->d_name);
			snprintf(dir, sizeof(dir), "%s", path);
			break;
		}
	}
	closedir(dp);
	if (!bdf[0]) {
		errno = ENODEV;
		die("no edu device (QEMU -device edu)");
	}
	write_str("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y");
	snprintf(path, sizeof(path), "%s/driver_override", dir);
	write_str(path, "vfio-pci");
	write_str("/sys/bus/pci/drivers_probe", bdf);
	snprintf(path, sizeof(path), "%s/vfio-dev", dir);
	dp = opendir(path);
	if (!dp)
		die("not bound to vfio-pci (no vfio-dev)");
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.')
			snprintf(cdev, sizeof(cdev), "%s", d->d_name);
	closedir(dp);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", cdev);
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die(path);
	iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (iommufd < 0)
		die("/dev/iommu");
	bind.iommufd = iommufd;
	if (ioctl(dev, VFIO_DEVICE_BIND_IOMMUFD_, &bind))
		die("VFIO_DEVICE_BIND_IOMMUFD");
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO_, &cfg))
		die("VFIO_DEVICE_GET_REGION_INFO config");
	/* memory decode on before the export, so the buffer starts usable */
	cmd = cmd_read(dev, cfg.offset);
	cmd_write(dev, cfg.offset, cmd | PCI_COMMAND_MEMORY_);
	buf = ioctl(dev, VFIO_DEVICE_FEATURE_, &feat);
	if (buf < 0)
		die("VFIO_DEVICE_FEATURE_DMA_BUF");
	if (fstat(buf, &st))
		die("fstat");
	ioas_import(iommufd, buf, 4096, &map);
	cmd = cmd_read(dev, cfg.offset);
	cmd_write(dev, cfg.offset, cmd & ~PCI_COMMAND_MEMORY_);
	/* a revoked buffer refuses a new importer */
	map.iova = 0;
	if (ioctl(iommufd, IOMMU_IOAS_MAP_FILE, &map))
		remap_err = errno;
	cmd_write(dev, cfg.offset, cmd | PCI_COMMAND_MEMORY_);
	close(dev);
	close(iommufd);
	close(buf);
	printf("{\"scenario\":\"vfio\",\"pid\":%d,\"ino\":%llu,\"size\":4096,"
	       "\"bdf\":\"%s\",\"cdev\":\"%s\",\"remap_while_revoked_errno\":%d}\n",
	       getpid(), (unsigned long long)st.st_ino, bdf, cdev, remap_err);
	return 0;
}

/* run time of the programs whose names start with one of two prefixes */
struct prog_cost {
	const char *prefix[2];
	__u64 ns, cnt;
};

static int sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

/* Every loaded program's accounted run time, summed into @c by name. */
static void prog_costs(struct prog_cost *c, unsigned int n)
{
	union bpf_attr a;
	__u32 id = 0;
	unsigned int i, k;

	for (i = 0; i < n; i++)
		c[i].ns = c[i].cnt = 0;
	for (;;) {
		struct bpf_prog_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (sys_bpf(BPF_PROG_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (!sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a)) {
			for (i = 0; i < n; i++)
				for (k = 0; k < 2; k++)
					if (c[i].prefix[k] && !strncmp(info.name, c[i].prefix[k],
								       strlen(c[i].prefix[k]))) {
						c[i].ns += info.run_time_ns;
						c[i].cnt += info.run_cnt;
					}
		}
		close(fd);
	}
}

/*
 * The per-event cost of the dma-buf programs against the fence programs,
 * on the same workload in the same run: each iteration makes a udmabuf,
 * imports a sw_sync fence into it, signals it, does a CPU-access
 * begin/end and closes everything.
 */
static int scen_cost(unsigned int n)
{
	struct prog_cost before[2] = {
		{ .prefix = { "ds_dmabuf_", "ds_vfio_" } },
		{ .prefix = { "ds_fence_", "ds_fnm_" } },
	}, after[2];
	struct dma_buf_import_sync_file imp = { .flags = DMA_BUF_SYNC_WRITE };
	struct dma_buf_sync s;
	unsigned int i;
	uint64_t t0;
	__u32 one = 1;
	int tl, fd;

	memcpy(after, before, sizeof(after));
	fd = open("/proc/sys/kernel/bpf_stats_enabled", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		die("kernel.bpf_stats_enabled");
	close(fd);
	tl = open(SW_SYNC_PATH, O_RDWR);
	if (tl < 0)
		die(SW_SYNC_PATH);
	prog_costs(before, 2);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int buf = udmabuf_new();

		imp.fd = timeline_fence(tl, i + 1);
		if (ioctl(buf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &imp))
			die("DMA_BUF_IOCTL_IMPORT_SYNC_FILE");
		close(imp.fd);
		if (ioctl(tl, SW_SYNC_IOC_INC, &one))
			die("SW_SYNC_IOC_INC");
		s.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
		if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &s))
			die("DMA_BUF_IOCTL_SYNC start");
		s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
		if (ioctl(buf, DMA_BUF_IOCTL_SYNC, &s))
			die("DMA_BUF_IOCTL_SYNC end");
		close(buf);
	}
	prog_costs(after, 2);
	close(tl);
	printf("{\"scenario\":\"cost\",\"iterations\":%u,\"seconds\":%.3f,"
	       "\"dmabuf\":{\"runs\":%llu,\"ns\":%llu},"
	       "\"fence\":{\"runs\":%llu,\"ns\":%llu}}\n", n, (now_ns() - t0) / 1e9,
	       (unsigned long long)(after[0].cnt - before[0].cnt),
	       (unsigned long long)(after[0].ns - before[0].ns),
	       (unsigned long long)(after[1].cnt - before[1].cnt),
	       (unsigned long long)(after[1].ns - before[1].ns));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "wait"))
		return scen_wait(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "merge"))
		return scen_merge();
	if (argc == 2 && !strcmp(argv[1], "dmabuf"))
		return scen_dmabuf();
	if (argc == 2 && !strcmp(argv[1], "revoke"))
		return scen_revoke();
	if (argc == 2 && !strcmp(argv[1], "vfio"))
		return scen_vfio();
	if (argc == 3 && !strcmp(argv[1], "cost"))
		return scen_cost(atoi(argv[2]));
	fprintf(stderr, "usage: vmscen wait DELAY_MS | merge | dmabuf | revoke | vfio | cost N\n");
	return 2;
}
