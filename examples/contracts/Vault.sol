// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IVaultToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address owner) external view returns (uint256);
}

/// @title Vault: ETH and ERC20 deposits behind a reentrancy guard, with a global nonce and per-user counters.
/// @notice Storage:
///   slot 0 status (reentrancy guard: 1 = not entered, 2 = entered)
///   slot 1 nonce (incremented by every state-changing call: a slot every transaction writes)
///   slot 2 token (address of the ERC20 the vault accepts)
///   slot 3 ethBalanceOf   slot 4 tokenBalanceOf   slot 5 userNonce (mappings address => uint256)
///   slot 6 totalEth       slot 7 totalTokens
///   slot 8 owner (address) + maxWithdrawPerCall (uint96): one packed slot
///   The guard also has a transient variant (lockT, EIP-1153) used by `sweep`.
contract Vault {
    uint256 private status;
    uint256 public nonce;
    address public token;
    mapping(address => uint256) public ethBalanceOf;
    mapping(address => uint256) public tokenBalanceOf;
    mapping(address => uint256) public userNonce;
    uint256 public totalEth;
    uint256 public totalTokens;
    address public owner;
    uint96 public maxWithdrawPerCall;

    event DepositedETH(address indexed user, uint256 amount, uint256 nonce);
    event WithdrewETH(address indexed user, uint256 amount, uint256 nonce);
    event DepositedToken(address indexed user, uint256 amount, uint256 nonce);
    event WithdrewToken(address indexed user, uint256 amount, uint256 nonce);

    error Reentrancy();
    error Insufficient(uint256 available, uint256 requested);
    error TooLarge(uint256 requested, uint256 max);
    error NotOwner();

    modifier nonReentrant() {
        if (status == 2) revert Reentrancy();
        status = 2;
        _;
        status = 1;
    }

    /// Transient-storage guard (Cancun): same protection, no persistent write.
    modifier nonReentrantTransient() {
        assembly {
            if tload(0) {
                revert(0, 0)
            }
            tstore(0, 1)
        }
        _;
        assembly {
            tstore(0, 0)
        }
    }

    constructor(address token_, uint96 maxWithdraw) {
        status = 1;
        token = token_;
        owner = msg.sender;
        maxWithdrawPerCall = maxWithdraw;
    }

    function _bump() private returns (uint256 n) {
        n = ++nonce;
        userNonce[msg.sender] += 1;
    }

    function depositETH() external payable nonReentrant {
        ethBalanceOf[msg.sender] += msg.value;
        totalEth += msg.value;
        emit DepositedETH(msg.sender, msg.value, _bump());
    }

    function withdrawETH(uint256 amount) external nonReentrant {
        uint256 max = maxWithdrawPerCall;
        if (max != 0 && amount > max) revert TooLarge(amount, max);
        uint256 bal = ethBalanceOf[msg.sender];
        if (bal < amount) revert Insufficient(bal, amount);
        ethBalanceOf[msg.sender] = bal - amount;
        totalEth -= amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "Vault: ETH transfer failed");
        emit WithdrewETH(msg.sender, amount, _bump());
    }

    function depositToken(uint256 amount) external nonReentrant {
        require(IVaultToken(token).transferFrom(msg.sender, address(this), amount), "Vault: transferFrom failed");
        tokenBalanceOf[msg.sender] += amount;
        totalTokens += amount;
        emit DepositedToken(msg.sender, amount, _bump());
    }

    function withdrawToken(uint256 amount) external nonReentrant {
        uint256 bal = tokenBalanceOf[msg.sender];
        if (bal < amount) revert Insufficient(bal, amount);
        tokenBalanceOf[msg.sender] = bal - amount;
        totalTokens -= amount;
        require(IVaultToken(token).transfer(msg.sender, amount), "Vault: transfer failed");
        emit WithdrewToken(msg.sender, amount, _bump());
    }

    /// Sends tokens held above the accounted total to the owner.
    function sweep() external nonReentrantTransient returns (uint256 excess) {
        if (msg.sender != owner) revert NotOwner();
        excess = IVaultToken(token).balanceOf(address(this)) - totalTokens;
        if (excess > 0) require(IVaultToken(token).transfer(owner, excess), "Vault: transfer failed");
    }

    function setMaxWithdraw(uint96 max) external {
        if (msg.sender != owner) revert NotOwner();
        maxWithdrawPerCall = max;
    }

    function ping() external returns (uint256) {
        return _bump();
    }
}
