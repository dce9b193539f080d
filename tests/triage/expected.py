# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""What each corpus report says, as we read it in the report text (../shared/corpus/dept-reports).

Contexts are [id, [S], [W], [E], markers...] written fn(class:sub) as printed.
lines: the report's first and last line in the file (the ===== rule to the end of
its stack dump, or the end of the file for cut-off copies)."""

EXPECTED = {
    '001-ext4-jbd2-j_state_lock-j_wait_commit.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.17.0-rc1-00014-gcf3441bb2012',
             complete=True, lines=[1, 133], contexts=[
                 ['A', '(unknown)(&(&journal->j_wait_commit)->dmap:0)', '__raw_read_lock(&journal->j_state_lock:8)', 'event(&(&journal->j_wait_commit)->dmap:0)'],
                 ['B', '__raw_write_lock(&journal->j_state_lock:8)', 'wait(&(&journal->j_wait_commit)->dmap:0)', 'write_unlock(&journal->j_state_lock:8)'],
             ], classes=['&(&journal->j_wait_commit)->dmap:0', '&journal->j_state_lock:8']),
    ], "health": []},
    '002-ext4-jbd2-invalidate_lock-3ctx.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.17.0-rc1-00014-gcf3441bb2012',
             complete=True, lines=[1, 186], contexts=[
                 ['A', '(unknown)(&(&journal->j_wait_commit)->dmap:0)', 'down_write(mapping.invalidate_lock:0)', 'event(&(&journal->j_wait_commit)->dmap:0)'],
                 ['B', '__raw_write_lock(&journal->j_state_lock:8)', 'wait(&(&journal->j_wait_commit)->dmap:0)', 'write_unlock(&journal->j_state_lock:8)'],
                 ['C', 'down_write(mapping.invalidate_lock:0)', '__raw_read_lock(&journal->j_state_lock:8)', 'up_write(mapping.invalidate_lock:0)'],
             ], classes=['&(&journal->j_wait_commit)->dmap:0', '&journal->j_state_lock:8', 'mapping.invalidate_lock:0']),
    ], "health": []},
    '004-ntfs3-ni_lock-PG_locked.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='6.2.0-rc1-00025-gb0c20ebf51ac-dirty',
             complete=True, lines=[1, 191], contexts=[
                 ['A', 'lock(&ni->ni_lock:0)', 'folio_wait_bit_common(PG_locked_map:0)', 'unlock(&ni->ni_lock:0)'],
                 ['B', '(unknown)(PG_locked_map:0)', 'lock(&ni->ni_lock:0)', 'folio_unlock(PG_locked_map:0)'],
             ], classes=['&ni->ni_lock:0', 'PG_locked_map:0']),
    ], "health": []},
    '006-af_unix-iolock-u_lock-socket_wq.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.17.0-rc1-00014-gcf3441bb2012',
             complete=True, lines=[1, 195], contexts=[
                 ['A', '(unknown)(&(&ei->socket.wq.wait)->dmap:0)', '__mutex_lock_common(&u->iolock:0)', 'event(&(&ei->socket.wq.wait)->dmap:0)'],
                 ['B', '__raw_spin_lock(&u->lock:0)', 'wait(&(&ei->socket.wq.wait)->dmap:0)', 'spin_unlock(&u->lock:0)'],
                 ['C', '__mutex_lock_common(&u->iolock:0)', '__raw_spin_lock(&u->lock:0)', 'mutex_unlock(&u->iolock:0)'],
             ], classes=['&(&ei->socket.wq.wait)->dmap:0', '&u->iolock:0', '&u->lock:0']),
    ], "health": []},
    '008-rcu-cpu_hotplug_lock-sched-ttwu-commitmsg.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='6.15.0-rc6-00042-ged94bafc6405',
             complete=False, lines=[1, 120], contexts=[
                 ['A', 'lock(cpu_hotplug_lock:0)', '__wait_rcu_gp(<sched>:0)', 'unlock(cpu_hotplug_lock:0)'],
                 ['B', '(unknown)(<sched>:0)', 'lock(cpu_hotplug_lock:0)', 'try_to_wake_up(<sched>:0)'],
             ], classes=['<sched>:0', 'cpu_hotplug_lock:0']),
    ], "health": []},
    '009-mmu_notifier-mmap_lock-sched-summary-fragment.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel=None,
             complete=False, lines=[1, 14], contexts=[
                 ['A', '(unknown)(<sched>:0)', 'lock(&mm->mmap_lock:0)', 'try_to_wake_up(<sched>:0)'],
                 ['B', 'lock(&mm->mmap_lock:0)', 'mmu_interval_read_begin(<sched>:0)', 'unlock(&mm->mmap_lock:0)'],
             ], classes=['&mm->mmap_lock:0', '<sched>:0']),
    ], "health": []},
    '010-kmemleak-object_lock-AA-arm64.txt': {"reports": [
        dict(kind='dept', verdict='aa-deadlock', kernel='5.17.0-rc1+',
             complete=False, lines=[1, 61], contexts=[
                 ['A', '__raw_spin_lock_irqsave(&object->lock:0)', '_raw_spin_lock_nested(&object->lock:0)', 'spin_unlock(&object->lock:0)'],
             ], classes=['&object->lock:0']),
    ], "health": []},
    '011-kmemleak-object_lock-kmemleak_lock-arm64.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.17.0-rc1+',
             complete=True, lines=[1, 120], contexts=[
                 ['A', '__raw_spin_lock_irqsave(&object->lock:0)', '__raw_spin_lock_irqsave(kmemleak_lock:0)', 'spin_unlock(&object->lock:0)'],
                 ['B', '__raw_spin_lock_irqsave(kmemleak_lock:0)', '_raw_spin_lock_nested(&object->lock:0)', 'spin_unlock(kmemleak_lock:0)'],
             ], classes=['&object->lock:0', 'kmemleak_lock:0']),
    ], "health": []},
    '012-vfork-completion-AA-arm64.txt': {"reports": [
        dict(kind='dept', verdict='aa-deadlock', kernel='5.17.0-rc1+',
             complete=True, lines=[1, 83], contexts=[
                 ['A', '(unknown)(&vfork:0)', 'wait_for_completion_killable(&vfork:0)', 'complete(&vfork:0)'],
             ], classes=['&vfork:0']),
    ], "health": []},
    '013-kunit-try_completion-timeout-AA-arm64.txt': {"reports": [
        dict(kind='dept', verdict='aa-deadlock', kernel='5.17.0-rc1+',
             complete=True, lines=[1, 70], contexts=[
                 ['A', '(unknown)(&try_completion:0)', 'wait_for_completion_timeout(&try_completion:0)', 'complete(&try_completion:0)'],
             ], classes=['&try_completion:0']),
    ], "health": []},
    '014-ext4-i_data_sem-pglocked-xfstests-tytso.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.18.0-rc5-xfstests-dept-00021-g8d3d751c9964',
             complete=True, lines=[4, 169], contexts=[
                 ['A', 'down_write(&ei->i_data_sem:0)', 'folio_wait_bit_common(pglocked:0)', 'up_write(&ei->i_data_sem:0)'],
                 ['B', '(unknown)(pglocked:0)', 'down_write(&ei->i_data_sem:0)', 'folio_wake_bit(pglocked:0)'],
             ], classes=['&ei->i_data_sem:0', 'pglocked:0']),
    ], "health": [['DEPT_INFO_ONCE', 'Need to expand the ring buffer.', 2], ['DEPT_INFO_ONCE', 'Pool(wait) is empty.', 3]]},
    '016-rfc2020-dev_mutex-AA-Dept-prefix.txt': {"reports": [
        dict(kind='dept', verdict='aa-deadlock', kernel='5.9.0+',
             complete=True, lines=[1, 105], contexts=[
                 ['A', '__mutex_lock(&dev->mutex:0)', '__mutex_lock(&dev->mutex:0)', '__mutex_unlock(&dev->mutex:0)'],
             ], classes=['&dev->mutex:0']),
    ], "health": []},
    '017-rfc2020-dev_mutex-pmus_lock-cpu_add_remove_lock-3ctx.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='5.9.0+',
             complete=True, lines=[1, 182], contexts=[
                 ['A', '__mutex_lock(&dev->mutex:0)', '__mutex_lock(cpu_add_remove_lock:0)', '__mutex_unlock(&dev->mutex:0)'],
                 ['B', '__mutex_lock(pmus_lock:0)', '__mutex_lock(&dev->mutex:0)', '__mutex_unlock(pmus_lock:0)'],
                 ['C', '__mutex_lock(cpu_add_remove_lock:0)', '__mutex_lock(pmus_lock:0)', '__mutex_unlock(cpu_add_remove_lock:0)'],
             ], classes=['&dev->mutex:0', 'cpu_add_remove_lock:0', 'pmus_lock:0']),
    ], "health": []},
    '018-rfc2020-wq_head-lock-softirq-AA-irq-variant.txt': {"reports": [
        dict(kind='dept', verdict='aa-deadlock', kernel='5.9.0+',
             complete=True, lines=[1, 105], contexts=[
                 ['A', '__raw_spin_lock(&wq_head->lock:0)', '__raw_spin_lock_irqsave(&wq_head->lock:0)', '__raw_spin_unlock(&wq_head->lock:0)', 'softirq'],
             ], classes=['&wq_head->lock:0']),
    ], "health": []},
    '022-ntfs3-fill_super-ni_lock-pg_locked-arm64.txt': {"reports": [
        dict(kind='dept', verdict='deadlock', kernel='6.15.0-rc6-00043-ga83a69ec7f9f',
             complete=True, lines=[1, 152], contexts=[
                 ['A', '(unknown)(pg_locked_map:0)', 'lock(&ni->ni_lock:0)', 'dept_page_clear_bit(pg_locked_map:0)'],
                 ['B', 'lock(&ni->ni_lock:0)', 'dept_page_wait_on_bit(pg_locked_map:0)', 'unlock(&ni->ni_lock:0)'],
             ], classes=['&ni->ni_lock:0', 'pg_locked_map:0']),
    ], "health": []},
    'lockdep-001-btrfs-delayed_node-fs_reclaim-kswapd.txt': {"reports": [
        dict(kind='lockdep', verdict='deadlock', kernel='6.12.0-08446-g228a1157fb9f',
             complete=True, lines=[1, 176], contexts=[
                 ['3', None, '(fs_reclaim)', None],
                 ['2', None, '(&q->q_usage_counter(io)#10)', None],
                 ['1', None, '(btrfs-tree-01)', None],
                 ['0', None, '(&delayed_node->mutex)', None],
             ], classes=['&delayed_node->mutex', '&q->q_usage_counter(io)#10', 'btrfs-tree-01', 'fs_reclaim']),
    ], "health": []},
    'misc-001-rfc2020-DEPT_WARN_ONCE-ring-buffer-splat.txt': {"reports": [
    ], "health": [['DEPT_WARN_ONCE', 'Need to expand the ring buffer.', 2]]},
    'misc-002-v6-DEPT_WARN_ON-ecxt_held-spam-and-INFO_ONCE.txt': {"reports": [
    ], "health": [['DEPT_INFO_ONCE', 'Need to expand the ring buffer.', 1], ['DEPT_INFO_ONCE', 'Pool(wait) is empty.', 2], ['DEPT_WARN_ON', 'dt->ecxt_held_pos == DEPT_MAX_ECXT_HELD', 3]]},
}

# the same cycle in two DEPT eras (v7 PG_locked_map, v15 pg_locked_map): one bucket
SAME_BUCKET = [("004-ntfs3-ni_lock-PG_locked.txt", "022-ntfs3-fill_super-ni_lock-pg_locked-arm64.txt")]
