//! Merging imported accounts into the vault (`merge`, issue 10 §2): skip, replace and keep
//! both for duplicates of the vault and of earlier accounts in the same file, the choice asked
//! once per duplicate, and a restore into an empty vault that keeps ids and order.

use twofold_core::backup;
use twofold_core::merge::{self, DuplicateChoice};
use twofold_core::vault::Vault;
use twofold_core::{Account, AccountId, Kind};

use crate::util::{rich_account, sample_account};

fn totp(issuer: &str, n: u32) -> Account {
    let mut a = sample_account(n);
    a.issuer = issuer.into();
    a
}

#[test]
fn merge_skip_replace_keep_both() {
    let base = || {
        let mut v = Vault::new();
        let mut h = sample_account(10);
        h.kind = Kind::Hotp { counter: 40 };
        h.order = 5;
        v.add(totp("Existing", 1)).unwrap();
        v.add(h).unwrap();
        v
    };
    let incoming = || {
        let mut h = sample_account(10);
        h.issuer = "Hotp from file".into();
        h.kind = Kind::Hotp { counter: 12 };
        vec![
            totp("Dup of existing", 1), // duplicates the vault
            totp("New", 2),
            totp("New again", 2), // duplicates an earlier incoming account
            h,                    // duplicates the vault HOTP, lower counter
        ]
    };

    // Skip.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    assert_eq!(
        plan.iter()
            .map(|i| (i.duplicate_of.is_some(), i.duplicate_in_file))
            .collect::<Vec<_>>(),
        [(true, false), (false, false), (false, true), (true, false)]
    );
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Skip).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (1, 0, 3));
    assert_eq!(v.len(), 3);
    assert_eq!(v.accounts()[2].issuer, "New");
    assert_eq!(
        v.accounts()[2].order,
        6,
        "added after the existing accounts"
    );

    // Replace: ids, order and created_at of the vault stay; the larger counter wins.
    let mut v = base();
    let ids: Vec<AccountId> = v.accounts().iter().map(|a| a.id.clone()).collect();
    let plan = merge::plan(v.accounts(), incoming());
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Replace).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (1, 2, 1));
    assert_eq!(v.get(&ids[0]).unwrap().issuer, "Dup of existing");
    let h = v.get(&ids[1]).unwrap();
    assert_eq!(h.issuer, "Hotp from file");
    assert_eq!((h.order, h.kind), (5, Kind::Hotp { counter: 40 }));

    // Keep both: every incoming account is added, duplicates with fresh ids.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    let dup_id = plan[0].account.id.clone();
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::KeepBoth).unwrap();
    assert_eq!((s.added, s.replaced, s.skipped_duplicates), (4, 0, 0));
    assert_eq!(v.len(), 6);
    assert!(v.get(&dup_id).is_none(), "keep-both gets a fresh id");

    // The choice is asked per duplicate, and only for duplicates.
    let mut v = base();
    let plan = merge::plan(v.accounts(), incoming());
    let asked = std::cell::RefCell::new(Vec::new());
    merge::apply(&mut v, plan, |_, i| {
        asked.borrow_mut().push(i.account.issuer.clone());
        DuplicateChoice::Skip
    })
    .unwrap();
    assert_eq!(
        asked.into_inner(),
        ["Dup of existing", "New again", "Hotp from file"]
    );
}

#[test]
fn restoring_a_backup_into_an_empty_vault_keeps_ids_and_order() {
    let accounts = vec![rich_account(), sample_account(1), sample_account(2)];
    let json = backup::to_json(&accounts, 1);
    let imported = backup::from_json(&json, 0).unwrap();
    let mut v = Vault::new();
    let plan = merge::plan(v.accounts(), imported.accounts);
    let s = merge::apply(&mut v, plan, |_, _| DuplicateChoice::Skip).unwrap();
    assert_eq!(s.added, 3);
    assert!(backup::compare(&accounts, v.accounts()).is_empty());
}
